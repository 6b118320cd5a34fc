import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync, chmodSync } from 'node:fs';
import type { Logger } from 'pino';
import type { EngineCheck } from '../core/faults/engine.js';
import type { ProbeResult } from '../core/checks/result.js';
import { createKeyAndCsr } from '../certs/csr.js';
import type { DeskMessage } from './protocol/messages.js';

export const AGENT_CERT_SOURCE_ID = 'agent-cert';
const DAY = 86_400_000;
/** After a refusal or a silent desk, the next attempt waits this long (and at least one connection). */
const RETRY_MS = 3600_000;

type RenewAnswer = Extract<DeskMessage, { type: 'renewed' | 'renew-refused' }>;

/** AGENT_CERT_EXPIRING: minor while renewal has not worked inside the renewal window, major in the last week. */
export const agentCertSource: EngineCheck = {
  id: AGENT_CERT_SOURCE_ID,
  raiseAfter: 1,
  clearAfter: 1,
  rules: (r) => (r.reason === 'cert_expiring' ? { code: 'AGENT_CERT_EXPIRING', severity: Number(r.evidence.daysLeft) <= 7 ? 'major' : 'minor' } : null),
};

export interface CertRenewalOptions {
  agentId: string;
  certFile: string;
  keyFile: string;
  /** A passphrase-protected key is the operator's to replace: renewal would have to store the new one in clear. */
  keyHasPassphrase: boolean;
  beforeDays: number;
  logger: Logger;
  report(result: ProbeResult): Promise<void>;
  now?: () => Date;
}

/**
 * Renews the agent's client certificate through the tunnel before it expires: within `beforeDays` of the end, on a
 * connection whose desk says canRenew, a new key pair is made here and its request sent; the answer's certificate
 * and the new key replace the files (through temporary names) and are used from the next connection.
 */
export class CertRenewal {
  private pending: { keyPem: string } | undefined;
  private lastAttemptAt = 0;
  private lastRefusal: string | undefined;
  private readonly now: () => Date;

  constructor(private readonly o: CertRenewalOptions) {
    this.now = o.now ?? (() => new Date());
  }

  daysLeft(): number | undefined {
    try {
      const cert = new X509Certificate(readFileSync(this.o.certFile));
      return (Date.parse(cert.validTo) - this.now().getTime()) / DAY;
    } catch {
      return undefined; // unreadable: the tunnel reports that on connecting
    }
  }

  /** The desk said hello and can renew: ask for a new certificate if it is time. */
  async ready(send: (m: { type: 'renew'; csr: string }) => void): Promise<void> {
    const days = this.daysLeft();
    if (days === undefined) return;
    await this.reportState(days);
    if (days > this.o.beforeDays || this.pending) return;
    if (this.o.keyHasPassphrase) {
      this.o.logger.warn({ daysLeft: Math.floor(days) }, 'client certificate near its end, but its key has a passphrase: renew it by hand (guardpost enroll)');
      return;
    }
    if (Date.now() - this.lastAttemptAt < RETRY_MS) return;
    this.lastAttemptAt = Date.now();
    const { keyPem, csrPem } = await createKeyAndCsr(this.o.agentId);
    this.pending = { keyPem };
    this.o.logger.info({ daysLeft: Math.floor(days) }, 'asking the desk to renew the client certificate');
    send({ type: 'renew', csr: csrPem });
  }

  /** The desk's answer; a connection that dropped before it came leaves the next attempt to the retry time. */
  async answer(msg: RenewAnswer): Promise<void> {
    const pending = this.pending;
    this.pending = undefined;
    if (!pending) return;
    if (msg.type === 'renew-refused') {
      this.lastRefusal = msg.reason;
      this.o.logger.warn({ reason: msg.reason }, 'the desk refused to renew the client certificate; retrying later');
    } else {
      const problem = this.install(msg.certPem, pending.keyPem);
      this.lastRefusal = problem;
      if (problem) this.o.logger.error({ problem }, 'renewed certificate not installed');
      else this.o.logger.info({ notAfter: msg.notAfter }, 'client certificate renewed; used from the next connection');
    }
    const days = this.daysLeft();
    if (days !== undefined) await this.reportState(days);
  }

  /** A dropped connection loses the request in flight; the next one may ask again after the retry time. */
  disconnected(): void {
    if (this.pending && !this.lastRefusal) this.lastRefusal = 'the connection dropped before the desk answered';
    this.pending = undefined;
  }

  private install(certPem: string, keyPem: string): string | undefined {
    const cert = new X509Certificate(certPem);
    if (!cert.publicKey.equals(createPublicKey(createPrivateKey(keyPem)))) return "the renewed certificate is not for the key made for it";
    if (!cert.subject.split('\n').includes(`CN=${this.o.agentId}`)) return `the renewed certificate names ${cert.subject.replace(/\n/g, ', ')}, not ${this.o.agentId}`;
    const swap = (path: string, text: string, mode: number) => {
      const tmp = `${path}.renew-${process.pid}`;
      writeFileSync(tmp, text, { mode });
      chmodSync(tmp, mode);
      renameSync(tmp, path);
    };
    // The key first: a crash between the two leaves the old certificate with the new key, which the next renewal
    // attempt (the certificate is still old) repairs; the other order could not be told apart from a good state.
    swap(this.o.keyFile, keyPem, 0o600);
    swap(this.o.certFile, certPem, 0o644);
    return undefined;
  }

  private async reportState(days: number): Promise<void> {
    const now = this.now().toISOString();
    const failing = days <= this.o.beforeDays && (this.lastRefusal !== undefined || days <= 7 || this.o.keyHasPassphrase);
    const why = this.o.keyHasPassphrase ? 'its key has a passphrase: renew by hand' : (this.lastRefusal ?? 'not renewed yet');
    await this.o.report({
      time: now,
      durationMs: 0,
      subject: 'client-certificate',
      status: failing ? 'fail' : 'ok',
      reason: failing ? 'cert_expiring' : 'ok',
      message: failing
        ? { zh: `终端证书 ${Math.floor(days)} 天后到期，续期未成功：${why}`, en: `the terminal certificate expires in ${Math.floor(days)} days and was not renewed: ${why}` }
        : { zh: `终端证书还有 ${Math.floor(days)} 天`, en: `the terminal certificate has ${Math.floor(days)} days left` },
      labels: { certFile: this.o.certFile },
      evidence: { daysLeft: Math.floor(days) },
    });
  }
}
