import { assess, chainReport, weaknesses } from './assess.js';
import { buildPath, type PathResult } from './chain.js';
import { daysBetween } from './days.js';
import { kindOf, pairCertificates, roleOf } from './pairing.js';
import { CertificateParseError, parseCertificate, type ParsedCertificate } from './parse-certificate.js';
import { resolveCertificatePolicy, type CertificatePolicy } from './policy.js';
import { RevocationChecker } from './revocation.js';
import { loadCertificateFiles, systemAnchors } from './trust-files.js';
import type { CertificateInput, CertificateReport, InspectContext, InspectInput, SourceProblem } from './types.js';

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('certificate inspection aborted');
}

interface Parsed {
  index: number;
  input: CertificateInput;
  cert: ParsedCertificate;
}

/**
 * The certificate engine: parses what a source holds, builds and verifies each certificate's chain to the policy's
 * anchors, checks revocation, pairs signing and encryption certificates, and reports each certificate with its
 * verdict and every finding (worst first). Never throws for bad certificates or unreachable revocation endpoints:
 * those are reports. Throws only when `ctx.signal` aborts.
 */
export async function inspectCertificates(input: InspectInput, policy: CertificatePolicy, ctx: InspectContext): Promise<CertificateReport[]> {
  const p = resolveCertificatePolicy(policy);
  const now = ctx.now;
  const reports: CertificateReport[] = [];
  let problemIndex = input.certificates.length;
  for (const prob of input.problems ?? []) reports.push(unparsableReport(prob, problemIndex++));

  const parsed: Parsed[] = [];
  input.certificates.forEach((c, index) => {
    try {
      parsed.push({ index, input: c, cert: parseCertificate(c.der) });
    } catch (err) {
      reports.push(unparsableReport(certificateProblem(input.source, c, err), index, c));
    }
  });

  const anchorFiles = await loadCertificateFiles(p.anchors);
  const bundles = await loadCertificateFiles(p.intermediates);
  for (const prob of [...anchorFiles.problems, ...bundles.problems]) reports.push(unparsableReport(prob, problemIndex++));
  const anchors = [...anchorFiles.certificates, ...(p.systemAnchors ? systemAnchors() : [])];
  const related = (input.related ?? []).flatMap((der) => {
    try {
      return [parseCertificate(der)];
    } catch {
      return []; // the caller reports its own sources
    }
  });
  const pool = [...parsed.map((x) => x.cert), ...related, ...bundles.certificates];

  const paths = new Map<number, PathResult>();
  for (const x of parsed) {
    throwIfAborted(ctx.signal);
    paths.set(x.index, buildPath(x.cert, { anchors, pool }, now));
    await yieldToLoop(); // SM2 verification is pure JS: let the agent breathe between certificates
  }

  const selected = parsed.filter((x) => {
    const path = paths.get(x.index)!;
    if (p.leafOnly && x.cert.isCA) return false;
    if (p.excludeRoot && path.selfSigned && kindOf(x.cert, true) === 'root') return false;
    return true;
  });
  const reported = new Set(selected.map((x) => x.cert.sha256));
  const pairs = pairCertificates(selected.map((x) => ({ index: x.index, cert: x.cert, id: x.input.id })));
  const byIndex = new Map(parsed.map((x) => [x.index, x.cert]));

  const revocation = new RevocationChecker({
    policy: p.revocation,
    cacheDir: p.revocation.crl.cacheDir || ctx.cacheDir,
    now,
    signal: ctx.signal,
    known: [...anchors, ...pool],
  });
  if (revocation.enabled) await revocation.load(selected.map((x) => x.cert));

  for (const x of selected) {
    throwIfAborted(ctx.signal);
    const c = x.cert;
    const path = paths.get(x.index)!;
    const chain = chainReport(path, now);
    const rev = revocation.enabled && !path.selfSigned ? await revocation.check(c, path.issuer) : { revocation: { status: 'not_checked' as const }, sources: [] };
    const firstExpiring = chain.path.find((l) => l.subject === chain.expiringSubject);
    const a = assess(c, path, chain, rev.revocation, p, now, firstExpiring !== undefined && reported.has(firstExpiring.sha256));
    const partner = pairs.get(x.index);
    reports.push({
      source: input.source,
      label: x.input.label,
      id: x.input.id,
      index: x.index,
      offset: x.input.offset,
      sha256: c.sha256,
      subject: c.subject,
      issuer: c.issuer,
      commonName: c.commonName,
      serial: c.serial,
      notBefore: c.notBefore.toISOString(),
      notAfter: c.notAfter.toISOString(),
      daysLeft: daysBetween(now, c.notAfter),
      keyAlgorithm: c.key.algorithm,
      keyBits: c.key.bits,
      curve: c.key.curve,
      signatureAlgorithm: c.signatureAlgorithm,
      keyUsage: c.keyUsage,
      extendedKeyUsage: c.extendedKeyUsage,
      kind: kindOf(c, path.selfSigned),
      role: roleOf(c),
      pairedWith: partner === undefined ? undefined : byIndex.get(partner)?.sha256,
      verdict: a.verdict,
      invalidReason: a.invalidReason,
      chain,
      revocation: rev.revocation,
      revocationSources: rev.sources,
      weaknesses: weaknesses(c, path.selfSigned, p.weak),
      findings: a.findings,
    });
  }
  return reports.sort((a, b) => a.index - b.index);
}

/** Where a certificate that will not parse is broken, as a file offset when the encoding allows it. */
function certificateProblem(source: string, c: CertificateInput, err: unknown): SourceProblem {
  const e = err as CertificateParseError;
  const inner = e instanceof CertificateParseError ? e.offset : undefined;
  if (c.encoding === 'der' || c.encoding === undefined) {
    const offset = inner === undefined ? c.offset : (c.offset ?? 0) + inner;
    return { source, kind: 'bad_der', message: e.message, offset };
  }
  const where = inner === undefined ? '' : ` (byte ${inner} of the decoded certificate)`;
  return { source, kind: 'bad_der', message: `${e.message.replace(/ \(byte \d+\)$/, '')}${where}`, offset: c.offset };
}

function unparsableReport(prob: SourceProblem, index: number, c?: CertificateInput): CertificateReport {
  return {
    source: prob.source,
    label: c?.label,
    id: c?.id,
    index,
    offset: prob.offset,
    keyUsage: [],
    extendedKeyUsage: [],
    role: 'unknown',
    verdict: 'invalid',
    invalidReason: 'unparsable',
    chain: { status: 'not_checked', path: [] },
    revocation: { status: 'not_checked' },
    revocationSources: [],
    weaknesses: [],
    findings: [{ reason: 'unparsable', severity: 'major' }],
    error: { kind: prob.kind, message: prob.message, offset: prob.offset },
  };
}
