import { createHash } from 'node:crypto';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ProbeContext } from '../../core/checks/plugin.js';
import type { ProbeResult } from '../../core/checks/result.js';
import type { FaultSignal } from '../../core/faults/types.js';
import { certificateResults, certificateRules, inspectCertificates, type CertificateReport } from '../../certs/index.js';
import type { TokenCertificate } from './objects.js';
import type { TokenConfig } from './schema.js';
import { tokenName, type ResolvedToken } from './settings.js';

/** The engine's `source` for a token's certificates: part of every certificate result's subject. */
export const certificateSource = (tokenName: string): string => `token:${tokenName}`;

interface Inspected {
  key: string;
  atMs: number;
  durationMs: number;
  reports: CertificateReport[];
}

/**
 * Hands the certificates read from a token to the certificate engine (agent/certs), which parses them (RSA, ECDSA,
 * SM2), verifies chains, checks revocation and pairs signing with encryption certificates by CKA_ID and key usage.
 * The engine's reports are kept per token and reused while the token holds the same objects and the recheck time
 * has not passed: the token is polled every few seconds, its certificates change a few times a year.
 */
export class CertificateStage {
  readonly #inspected = new Map<string, Inspected>();

  /** Where downloaded CRLs and OCSP answers are kept unless the policy names a directory: as the cert check does. */
  readonly #cacheDir: string;

  constructor(private readonly ctx: ProbeContext) {
    this.#cacheDir = path.join(ctx.stateDir ?? ctx.platform.paths().stateDir, 'cert-cache');
  }

  async results(token: ResolvedToken, certs: TokenCertificate[], signal: AbortSignal): Promise<ProbeResult[]> {
    const now = this.ctx.now();
    const key = objectsKey(certs);
    let inspected = this.#inspected.get(token.name);
    const stale = !inspected || inspected.key !== key || now.getTime() - inspected.atMs >= token.certificateRecheckMinutes * 60_000;
    if (stale) {
      const started = performance.now();
      const reports = await inspectCertificates(
        { source: certificateSource(token.name), certificates: certs.map((c) => ({ der: c.der, label: c.label, id: c.id })) },
        token.certificates ?? {},
        { now, signal, cacheDir: this.#cacheDir },
      );
      inspected = { key, atMs: now.getTime(), durationMs: Math.round((performance.now() - started) * 10) / 10, reports };
      this.#inspected.set(token.name, inspected);
    }
    const { reports, durationMs } = inspected!;
    // The token label lets the fault rules find this token's certificate policy.
    return certificateResults(reports, { now, durationMs }).map((r) => ({ ...r, labels: { ...r.labels, token: token.name, module: token.module } }));
  }
}

/**
 * Identifies what is on the token: any object added, removed or replaced changes it. Order-free: modules list
 * objects in no fixed order (SoftHSM2's order changes with every C_Initialize).
 */
function objectsKey(certs: TokenCertificate[]): string {
  const each = certs.map((c) => createHash('sha256').update(c.id).update('\0').update(c.label).update('\0').update(c.der).digest('hex'));
  return createHash('sha256').update(each.sort().join()).digest('hex');
}

/** Certificate results (from the engine) are graded by the engine's rules with the token's own policy. */
export function certificateSignal(result: ProbeResult, config: TokenConfig): FaultSignal | null {
  const name = result.labels?.token;
  const entry = (config.tokens ?? []).find((t) => tokenName(t) === name);
  return certificateRules(result, entry?.certificates);
}
