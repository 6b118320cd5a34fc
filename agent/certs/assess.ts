import type { Severity } from '../core/severity.js';
import { severityRank } from '../core/severity.js';
import type { PathResult } from './chain.js';
import { daysBetween } from './days.js';
import { SIGNATURE_ALGORITHMS } from './oids.js';
import type { ParsedCertificate } from './parse-certificate.js';
import type { ResolvedCertificatePolicy } from './policy.js';
import type { ChainReport, Finding, InvalidReason, RevocationReport, Verdict } from './types.js';

/** The CERT_EXPIRING grade for a number of days left, or null when beyond every threshold. */
export function gradeExpiry(daysLeft: number, t: ResolvedCertificatePolicy['expiry']): Severity | null {
  if (daysLeft <= t.criticalDays) return 'critical';
  if (daysLeft <= t.majorDays) return 'major';
  if (daysLeft <= t.minorDays) return 'minor';
  return null;
}

/** Tie-break among equally severe findings: the one to act on first comes first. */
const ORDER = [
  'unparsable', 'revoked', 'expired', 'not_yet_valid', 'chain_invalid', 'unsupported_algorithm',
  'expiring', 'chain_expiring', 'weak_algorithm', 'revocation_unknown',
];

export function sortFindings(f: Finding[]): Finding[] {
  return [...f].sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || ORDER.indexOf(a.reason) - ORDER.indexOf(b.reason));
}

export function chainReport(path: PathResult, now: Date): ChainReport {
  const links = path.path.map((c, i) => ({
    subject: c.subject,
    sha256: c.sha256,
    notAfter: c.notAfter.toISOString(),
    daysLeft: daysBetween(now, c.notAfter),
    anchor: path.status === 'verified' && i === path.path.length - 1,
  }));
  const report: ChainReport = { status: path.status, path: links };
  if (path.error) report.error = path.error;
  if (path.errorDetail) report.errorDetail = path.errorDetail;
  if (path.sm2Id) report.sm2Id = path.sm2Id;
  // Only the verified path's expiry counts: an expired cross-signed copy that was not used must not (blackbox #340).
  if (path.status === 'verified' && path.path.length) {
    const first = path.path.reduce((a, b) => (b.notAfter < a.notAfter ? b : a));
    report.notAfter = first.notAfter.toISOString();
    report.daysLeft = daysBetween(now, first.notAfter);
    report.expiringSubject = first.subject;
  }
  return report;
}

export function weaknesses(c: ParsedCertificate, selfSigned: boolean, w: ResolvedCertificatePolicy['weak']): string[] {
  const out: string[] = [];
  const hash = SIGNATURE_ALGORITHMS[c.signed.signatureOid]?.hash ?? /md2|md4/i.exec(c.signatureAlgorithm)?.[0]?.toLowerCase();
  if (hash && (w.hashes as string[]).includes(hash) && (!selfSigned || w.checkRootSignature)) out.push(`${hash}_signature`);
  if ((c.key.algorithm === 'RSA' || c.key.algorithm === 'RSASSA-PSS' || c.key.algorithm === 'DSA') && c.key.bits !== undefined && c.key.bits < w.minRsaBits) {
    out.push(`${c.key.algorithm === 'DSA' ? 'dsa' : 'rsa'}_${c.key.bits}`);
  }
  return out;
}

export interface Assessment {
  findings: Finding[];
  verdict: Verdict;
  invalidReason?: InvalidReason;
}

/**
 * Everything wrong with one certificate, worst first, and its verdict. `chainIssuerReported` says the issuer
 * expiring first on the path is itself reported by this source, so its expiry is its own finding, not ours.
 */
export function assess(
  c: ParsedCertificate,
  path: PathResult,
  chain: ChainReport,
  revocation: RevocationReport,
  policy: ResolvedCertificatePolicy,
  now: Date,
  chainIssuerReported: boolean,
): Assessment {
  const f: Finding[] = [];
  const daysLeft = daysBetween(now, c.notAfter);
  if (revocation.status === 'revoked') f.push({ reason: 'revoked', severity: 'critical' });
  if (now > c.notAfter) f.push({ reason: 'expired', severity: 'critical' });
  else if (now < c.notBefore) f.push({ reason: 'not_yet_valid', severity: 'critical' });
  else {
    const g = gradeExpiry(daysLeft, policy.expiry);
    if (g) f.push({ reason: 'expiring', severity: g });
  }
  if (path.status === 'failed') f.push({ reason: path.error === 'unsupported_algorithm' ? 'unsupported_algorithm' : 'chain_invalid', severity: 'major' });
  // Only when a CA on the path goes before the certificate itself: otherwise renewing the certificate comes first.
  if (chain.daysLeft !== undefined && chain.daysLeft < daysLeft && !chainIssuerReported) {
    const g = gradeExpiry(chain.daysLeft, policy.expiry);
    if (g) f.push({ reason: 'chain_expiring', severity: g });
  }
  if (weaknesses(c, path.selfSigned, policy.weak).length) f.push({ reason: 'weak_algorithm', severity: 'minor' });
  if (revocation.status === 'unknown') f.push({ reason: 'revocation_unknown', severity: 'minor' });

  const findings = sortFindings(f);
  const invalid = (['revoked', 'expired', 'not_yet_valid', 'chain_invalid', 'unsupported_algorithm'] as const).find((r) => f.some((x) => x.reason === r));
  if (invalid) return { findings, verdict: 'invalid', invalidReason: invalid };
  return { findings, verdict: path.selfSigned && path.status !== 'verified' ? 'self-signed' : 'valid' };
}
