import type { ProbeResult } from '../core/checks/result.js';
import { compareText } from '../core/text.js';

/**
 * Stable series names for a check's last results. A certificate result's subject ends with its fingerprint (so each
 * certificate is its own fault); a series must outlive a renewal, so it is named by source and name alone. Read only
 * from the results (the engine in agent/certs writes subject `<source> <name> <sha256[0..12]>` and evidence
 * `source`, `sha256`, `notAfter`, …).
 */

export interface CertificateFacts {
  source: string;
  /** The name in the source: token label or CN, unique within the check's results (see seriesSubjects). */
  certificate: string;
  notAfter?: number;
  notBefore?: number;
  chainNotAfter?: number;
  subjectDn: string;
  issuerDn: string;
  serial: string;
  sha256: string;
}

export interface SeriesSubject {
  result: ProbeResult;
  /** The `subject` label: the result's subject, a certificate's without its fingerprint. */
  subject: string;
  certificate?: CertificateFacts;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const epochSeconds = (iso: unknown): number | undefined => {
  const ms = typeof iso === 'string' ? Date.parse(iso) : NaN;
  return Number.isNaN(ms) ? undefined : ms / 1000;
};

/** The certificate's name in its source, or undefined when the result is not about one certificate (a CRL, an unreadable file). */
function certificateName(r: ProbeResult): { source: string; name: string } | undefined {
  const source = str(r.evidence.source);
  const sha256 = str(r.evidence.sha256);
  if (!source || !sha256 || !str(r.evidence.notAfter)) return undefined;
  const prefix = `${source} `;
  const suffix = ` ${sha256.slice(0, 12)}`;
  const rest = r.subject.startsWith(prefix) ? r.subject.slice(prefix.length) : r.subject;
  const name = rest.endsWith(suffix) ? rest.slice(0, -suffix.length) : str(r.evidence.label) ?? rest;
  return { source, name };
}

/**
 * One series subject per result, in order. Two certificates of one source with one name (a file holding the old and
 * the renewed certificate, a signing and an encryption certificate with the same CN) are told apart by role when
 * their roles differ, else by expiry: the earliest keeps the bare name, the next is `#2` — so once the old one is
 * removed, the renewed one takes its series over.
 */
export function seriesSubjects(results: readonly ProbeResult[]): SeriesSubject[] {
  const out: SeriesSubject[] = results.map((result) => {
    const named = certificateName(result);
    if (!named) return { result, subject: result.subject };
    const e = result.evidence;
    const facts: CertificateFacts = {
      source: named.source,
      certificate: named.name,
      subjectDn: str(e.subject) ?? '',
      issuerDn: str(e.issuer) ?? '',
      serial: str(e.serial) ?? '',
      sha256: str(e.sha256) ?? '',
    };
    const notAfter = epochSeconds(e.notAfter);
    const notBefore = epochSeconds(e.notBefore);
    const chainNotAfter = e.chainStatus === 'verified' ? epochSeconds(e.chainNotAfter) : undefined;
    if (notAfter !== undefined) facts.notAfter = notAfter;
    if (notBefore !== undefined) facts.notBefore = notBefore;
    if (chainNotAfter !== undefined) facts.chainNotAfter = chainNotAfter;
    return { result, subject: `${named.source} ${named.name}`, certificate: facts };
  });
  const groups = new Map<string, SeriesSubject[]>();
  for (const s of out) if (s.certificate) groups.set(s.subject, [...(groups.get(s.subject) ?? []), s]);
  for (const group of groups.values()) if (group.length > 1) disambiguate(group);
  return out;
}

function disambiguate(group: SeriesSubject[]): void {
  const roles = group.map((s) => str(s.result.evidence.role) ?? '');
  if (roles.every((r) => r) && new Set(roles).size === group.length) {
    group.forEach((s, i) => rename(s, `${s.certificate!.certificate} (${roles[i]})`));
    return;
  }
  const byExpiry = [...group].sort((a, b) => (a.certificate!.notAfter ?? 0) - (b.certificate!.notAfter ?? 0) || compareText(a.certificate!.sha256, b.certificate!.sha256));
  byExpiry.forEach((s, i) => i > 0 && rename(s, `${s.certificate!.certificate} #${i + 1}`));
}

function rename(s: SeriesSubject, certificate: string): void {
  s.certificate!.certificate = certificate;
  s.subject = `${s.certificate!.source} ${certificate}`;
}
