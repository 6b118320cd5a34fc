import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { ProbeResult } from '../../core/checks/result.js';
import type { FaultSignal } from '../../core/faults/types.js';
import { CERT_REASONS, certificateResults, certificateRules, inspectCertificates, type CertificatePolicy, type CertificateReport } from '../../certs/index.js';
import { TLS_REASONS } from '../../net/index.js';
import type { ResolvedEndpoint } from '../shared/endpoint/endpoint.js';
import { VerificationNote } from './verification-note.js';

/** The engine's `source` for an endpoint's TLS chain: the endpoint's name, so its certificates are found under it. */
export const chainSource = (endpoint: string): string => `tls:${endpoint}`;

/** A chain is inspected again after this long even when unchanged: days left move slowly, CRLs have their own cache. */
export const CHAIN_RECHECK_MS = 60 * 60_000;

interface Inspected {
  key: string;
  atMs: number;
  durationMs: number;
  reports: CertificateReport[];
}

/**
 * Every server chain the probes captured goes through the certificate engine (agent/certs): expiry of the leaf and
 * of the verified chain, chain verification against the policy's anchors, SM2, revocation, weak algorithms. No
 * certificate logic here. Reports are reused while the server presents the same chain.
 */
export class ChainInspector {
  private readonly inspected = new Map<string, Inspected>();

  /** `cacheDir`: where the engine keeps CRLs and OCSP answers across restarts (under the agent's state directory). */
  constructor(
    private readonly policy: CertificatePolicy,
    private readonly cacheDir?: string,
  ) {}

  /** `connectionReason`: the endpoint probe's reason, which says whether the connection's own TLS verification held. */
  async results(ep: ResolvedEndpoint, chain: Buffer[], connectionReason: string, now: Date, signal: AbortSignal): Promise<ProbeResult[]> {
    const key = chainKey(chain);
    let seen = this.inspected.get(ep.name);
    if (!seen || seen.key !== key || now.getTime() - seen.atMs >= CHAIN_RECHECK_MS) {
      const started = performance.now();
      // Labels name the position, not the kind: a self-signed server certificate is the engine's "root", still the server's.
      const certificates = chain.map((der, i) => ({ der, label: i === 0 ? `${ep.host} server` : `${ep.host} chain[${i}]` }));
      const ctx = { now, signal, ...(this.cacheDir ? { cacheDir: this.cacheDir } : {}) };
      const reports = await inspectCertificates({ source: chainSource(ep.name), certificates }, this.policy, ctx);
      seen = { key, atMs: now.getTime(), durationMs: Math.round((performance.now() - started) * 10) / 10, reports };
      this.inspected.set(ep.name, seen);
    }
    const verification = new VerificationNote(ep.trust, !Object.hasOwn(TLS_REASONS, connectionReason), this.policy);
    return certificateResults(seen.reports, { now, durationMs: seen.durationMs }).map((r) => verification.add({
      ...r,
      labels: { ...r.labels, endpoint: ep.name, host: ep.host.toLowerCase() },
    }));
  }
}

function chainKey(chain: Buffer[]): string {
  const h = createHash('sha256');
  for (const der of chain) h.update(der);
  return h.digest('hex');
}

/** Certificate results are graded by the engine's rules (CERT_*, CRL_STALE, REVOCATION_UNAVAILABLE, owned by the cert check). */
export function chainRules(result: ProbeResult, policy: CertificatePolicy | undefined): FaultSignal | null {
  return Object.hasOwn(CERT_REASONS, result.reason) ? certificateRules(result, policy) : null;
}
