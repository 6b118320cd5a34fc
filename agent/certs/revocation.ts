import { crlSigner, lookupSerial } from './crl.js';
import { loadCrls, type LoadedCrl } from './crl-sources.js';
import { checkOcsp } from './ocsp.js';
import type { ParsedCertificate } from './parse-certificate.js';
import type { ResolvedCertificatePolicy } from './policy.js';
import type { RevocationReport, RevocationSourceReport } from './types.js';

export interface RevocationContext {
  policy: ResolvedCertificatePolicy['revocation'];
  cacheDir?: string;
  now: Date;
  signal?: AbortSignal;
  /** Certificates that may have signed a CRL: anchors, intermediates, the source's own. */
  known: ParsedCertificate[];
}

interface CheckedCrl extends LoadedCrl {
  /** The CRL's signature verified with a known certificate of its issuer. */
  trusted: boolean;
}

/** CRLs loaded once per inspection; each then answers for every certificate of its issuer. */
export class RevocationChecker {
  private crls: CheckedCrl[] = [];

  constructor(private readonly rc: RevocationContext) {}

  get enabled(): boolean {
    const { crl, ocsp } = this.rc.policy;
    return crl.files.length > 0 || crl.urls.length > 0 || crl.fromCertificate || ocsp.enabled;
  }

  async load(certs: ParsedCertificate[]): Promise<void> {
    const cdp = certs.flatMap((c) => c.crlUrls);
    const loaded = await loadCrls(cdp, { policy: this.rc.policy.crl, cacheDir: this.rc.cacheDir, now: this.rc.now, signal: this.rc.signal });
    this.crls = loaded.map((l) => {
      if (!l.crl) return { ...l, trusted: false };
      if (crlSigner(l.crl, this.rc.known)) return { ...l, trusted: true };
      // A CRL nobody can vouch for is not evidence either way.
      return { ...l, trusted: false, report: { ...l.report, status: 'invalid', error: `signature not verified: no known certificate of ${l.crl.issuer} verifies it` } };
    });
  }

  /** Revocation status of one certificate, and the sources consulted (with their own health). */
  async check(cert: ParsedCertificate, issuer: ParsedCertificate | undefined): Promise<{ revocation: RevocationReport; sources: RevocationSourceReport[] }> {
    let revocation: RevocationReport = { status: 'not_checked' };
    const sources: RevocationSourceReport[] = [];
    for (const l of this.crls) {
      // A CRL we could not read may be this certificate's: its health is reported with every certificate.
      if (!l.crl) {
        sources.push(l.report);
        continue;
      }
      if (l.crl.issuer !== cert.issuer) continue;
      sources.push(l.report);
      if (!l.trusted || revocation.status === 'revoked') continue;
      const hit = lookupSerial(l.crl, cert.serial);
      revocation = hit
        ? { status: 'revoked', method: 'crl', source: l.location, revokedAt: hit.date.toISOString(), revocationReason: hit.reason }
        : { status: 'good', method: 'crl', source: l.location };
    }
    const ocsp = this.rc.policy.ocsp;
    const url = ocsp.url || cert.ocspUrls[0];
    if (ocsp.enabled && url && issuer && revocation.status !== 'revoked') {
      const out = await checkOcsp(cert, issuer, url, { policy: ocsp, cacheDir: this.rc.cacheDir, now: this.rc.now, signal: this.rc.signal });
      sources.push(out.source);
      // OCSP is fresher than a CRL, but its "unknown" does not undo a CRL's "good".
      if (out.revocation && (out.revocation.status !== 'unknown' || revocation.status === 'not_checked')) revocation = out.revocation;
    }
    return { revocation, sources };
  }
}
