import type { Evidence, ProbeResult } from '../core/checks/result.js';
import type { Text } from '../core/text.js';
import { timeAgo, timeLeft } from './days.js';
import type { CertReason } from './rules.js';
import type { CertificateReport, RevocationSourceReport } from './types.js';

/** "<source> <label or CN> <sha256 prefix>": stable while the certificate is the same; a renewal is a new subject. */
export function certificateSubject(r: CertificateReport): string {
  const name = r.label ?? r.commonName ?? `#${r.index}`;
  // Unparsable input has no fingerprint: where it sits names it (the same problem seen twice is one subject).
  if (!r.sha256) return [r.source, r.label, r.offset !== undefined ? `@${r.offset}` : undefined].filter((x) => x !== undefined).join(' ');
  return `${r.source} ${name} ${r.sha256.slice(0, 12)}`;
}

const day = (iso: string | undefined): string => (iso ?? '').slice(0, 10);

const at = (iso: string | undefined): Date => new Date(iso ?? 0);

function certificateMessage(r: CertificateReport, reason: CertReason | 'ok', now: Date): Text {
  const who = r.commonName ?? r.subject ?? r.label ?? `#${r.index}`;
  const left = timeLeft(at(r.notAfter), now);
  switch (reason) {
    case 'ok':
      return { zh: `证书正常：${who}，${day(r.notAfter)} 到期，${left.zh}`, en: `certificate ok: ${who}, expires ${day(r.notAfter)}, ${left.en}` };
    case 'expiring':
      return { zh: `证书 ${who} 将于 ${day(r.notAfter)} 到期，${left.zh}，请尽快更新`, en: `certificate ${who} expires on ${day(r.notAfter)}, ${left.en}: renew it` };
    case 'chain_expiring': {
      const chainLeft = timeLeft(at(r.chain.notAfter), now);
      return {
        zh: `证书 ${who} 的上级 CA 证书 ${r.chain.expiringSubject} 将于 ${day(r.chain.notAfter)} 到期，${chainLeft.zh}（证书本身${left.zh}）`,
        en: `the CA certificate ${r.chain.expiringSubject} above ${who} expires on ${day(r.chain.notAfter)}, ${chainLeft.en} (the certificate itself: ${left.en})`,
      };
    }
    case 'expired': {
      const ago = timeAgo(at(r.notAfter), now);
      return { zh: `证书 ${who} 已于 ${day(r.notAfter)} 过期（${ago.zh}）`, en: `certificate ${who} expired on ${day(r.notAfter)} (${ago.en})` };
    }
    case 'not_yet_valid':
      return {
        zh: `证书 ${who} 尚未生效，生效时间 ${r.notBefore}；可能是本机时间不准，请核对系统时间`,
        en: `certificate ${who} is not valid until ${r.notBefore}; the local clock may be wrong, check the system time`,
      };
    case 'revoked':
      return {
        zh: `证书 ${who} 已被吊销（${r.revocation.revocationReason ?? '原因未说明'}，${day(r.revocation.revokedAt)}，来源 ${r.revocation.method?.toUpperCase()} ${r.revocation.source}）`,
        en: `certificate ${who} is revoked (${r.revocation.revocationReason ?? 'no reason given'}, ${day(r.revocation.revokedAt)}, by ${r.revocation.method?.toUpperCase()} ${r.revocation.source})`,
      };
    case 'chain_invalid':
    case 'unsupported_algorithm':
      return { zh: `证书 ${who} 的证书链验证失败（${r.chain.error}）：${r.chain.errorDetail ?? ''}`, en: `certificate ${who}: chain does not verify (${r.chain.error}): ${r.chain.errorDetail ?? ''}` };
    case 'weak_algorithm':
      return { zh: `证书 ${who} 使用弱算法：${r.weaknesses.join('、')}`, en: `certificate ${who} uses weak algorithms: ${r.weaknesses.join(', ')}` };
    case 'revocation_unknown':
      return { zh: `OCSP 响应方 ${r.revocation.source} 不认识证书 ${who}`, en: `the OCSP responder ${r.revocation.source} does not know certificate ${who}` };
    case 'unparsable':
    default: {
      const at = r.offset !== undefined ? `，位置：第 ${r.offset} 字节` : '';
      const atEn = r.offset !== undefined ? ` at byte ${r.offset}` : '';
      return { zh: `${r.source} 中的证书无法解析${at}：${r.error?.message ?? ''}`, en: `certificate in ${r.source} cannot be parsed${atEn}: ${r.error?.message ?? ''}` };
    }
  }
}

function certificateEvidence(r: CertificateReport): Evidence {
  const e: Record<string, string | number | boolean | null | undefined> = {
    source: r.source,
    label: r.label,
    id: r.id,
    subject: r.subject,
    issuer: r.issuer,
    serial: r.serial,
    sha256: r.sha256,
    notBefore: r.notBefore,
    notAfter: r.notAfter,
    daysLeft: r.daysLeft,
    keyAlgorithm: r.keyAlgorithm,
    keyBits: r.keyBits,
    curve: r.curve,
    signatureAlgorithm: r.signatureAlgorithm,
    keyUsage: r.keyUsage.join(','),
    extendedKeyUsage: r.extendedKeyUsage.join(','),
    kind: r.kind,
    role: r.role,
    pairedWith: r.pairedWith,
    verdict: r.invalidReason ? `invalid(${r.invalidReason})` : r.verdict,
    chainStatus: r.chain.status,
    chainError: r.chain.error,
    chainErrorDetail: r.chain.errorDetail,
    chainLength: r.chain.path.length,
    chainNotAfter: r.chain.notAfter,
    chainDaysLeft: r.chain.daysLeft,
    chainExpiringSubject: r.chain.expiringSubject,
    sm2Id: r.chain.sm2Id,
    revocation: r.revocation.status,
    revocationMethod: r.revocation.method,
    revocationSource: r.revocation.source,
    revokedAt: r.revocation.revokedAt,
    revocationReason: r.revocation.revocationReason,
    weaknesses: r.weaknesses.join(','),
    findings: r.findings.map((f) => `${f.reason}:${f.severity}`).join(','),
    offset: r.offset,
    errorKind: r.error?.kind,
    error: r.error?.message,
  };
  return Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined && v !== '')) as Evidence;
}

const SOURCE_RANK: Record<RevocationSourceReport['status'], number> = { ok: 0, expiring: 1, stale: 2, invalid: 3, unavailable: 4 };

function sourceReason(s: RevocationSourceReport): CertReason | 'ok' {
  if (s.status === 'ok') return 'ok';
  if (s.kind === 'crl') return s.status === 'stale' || s.status === 'expiring' ? 'crl_stale' : s.status === 'invalid' ? 'crl_invalid' : 'crl_unavailable';
  return s.status === 'invalid' ? 'ocsp_invalid' : 'ocsp_unavailable';
}

function sourceMessage(s: RevocationSourceReport, reason: CertReason | 'ok', now: Date): Text {
  const what = s.kind === 'crl' ? 'CRL' : 'OCSP';
  const cache = s.fromCache ? '（使用缓存）' : '';
  const cacheEn = s.fromCache ? ' (from cache)' : '';
  const err = s.error ? `：${s.error}` : '';
  const errEn = s.error ? `: ${s.error}` : '';
  if (reason === 'crl_stale') {
    if (s.status === 'expiring') {
      const left = timeLeft(at(s.nextUpdate), now);
      return { zh: `CRL ${s.location} 将于 ${day(s.nextUpdate)} 过期（${left.zh}）${cache}${err}`, en: `CRL ${s.location} goes stale on ${day(s.nextUpdate)} (${left.en})${cacheEn}${errEn}` };
    }
    const ago = timeAgo(at(s.nextUpdate), now);
    return { zh: `CRL ${s.location} 已于 ${day(s.nextUpdate)} 过期（${ago.zh}），仍在使用旧列表${cache}${err}`, en: `CRL ${s.location} went stale on ${day(s.nextUpdate)} (${ago.en}); an old list is in use${cacheEn}${errEn}` };
  }
  if (reason === 'ok') return { zh: `${what} ${s.location} 正常${cache}`, en: `${what} ${s.location} ok${cacheEn}` };
  return { zh: `${what} ${s.location} 不可用（不表示证书已吊销）${err}`, en: `${what} ${s.location} unavailable (this is not "revoked")${errEn}` };
}

/**
 * One ProbeResult per certificate (reason = its worst finding), plus one per CRL/OCSP endpoint used, so revocation
 * problems are faults of their own and never mixed into a certificate's verdict.
 */
export function certificateResults(reports: CertificateReport[], opts: { now?: Date; durationMs?: number } = {}): ProbeResult[] {
  const now = opts.now ?? new Date();
  const time = now.toISOString();
  const durationMs = opts.durationMs ?? 0;
  const out: ProbeResult[] = [];
  const endpoints = new Map<string, RevocationSourceReport>();
  for (const r of reports) {
    const top = r.findings[0];
    const reason = (top?.reason ?? 'ok') as CertReason | 'ok';
    const evidence = certificateEvidence(r);
    if (reason === 'not_yet_valid' && r.notBefore) evidence.secondsUntilValid = Math.round((Date.parse(r.notBefore) - now.getTime()) / 1000);
    out.push({
      status: top ? 'fail' : 'ok',
      reason,
      subject: certificateSubject(r),
      labels: { source: r.source },
      evidence,
      message: certificateMessage(r, reason, now),
      time,
      durationMs,
    });
    for (const s of r.revocationSources) {
      const key = `${s.kind} ${s.location}`;
      const prior = endpoints.get(key);
      if (!prior || SOURCE_RANK[s.status] > SOURCE_RANK[prior.status]) endpoints.set(key, s);
    }
  }
  for (const [key, s] of endpoints) {
    const reason = sourceReason(s);
    const evidence: Evidence = { endpoint: s.location, kind: s.kind, status: s.status, fromCache: s.fromCache };
    if (s.thisUpdate) evidence.thisUpdate = s.thisUpdate;
    if (s.nextUpdate) evidence.nextUpdate = s.nextUpdate;
    if (s.daysToNextUpdate !== undefined) evidence.daysToNextUpdate = s.daysToNextUpdate;
    if (s.error) evidence.error = s.error;
    out.push({ status: reason === 'ok' ? 'ok' : 'fail', reason, subject: key, labels: { endpoint: s.location }, evidence, message: sourceMessage(s, reason, now), time, durationMs });
  }
  return out;
}
