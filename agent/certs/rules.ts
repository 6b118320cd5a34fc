import type { ProbeResult } from '../core/checks/result.js';
import type { FaultSignal } from '../core/faults/types.js';
import type { Text } from '../core/text.js';
import { gradeExpiry } from './assess.js';
import { resolveCertificatePolicy, type CertificatePolicy } from './policy.js';

/**
 * The closed list of reasons certificate results carry, whichever check reports them (files, tokens, TLS chains).
 * A check that reports certificates adds these to its own reasons.
 */
export const CERT_REASONS = {
  expiring: { zh: '证书即将到期', en: 'the certificate expires soon' },
  chain_expiring: { zh: '证书链中的上级 CA 证书即将到期', en: 'a CA certificate on the verified chain expires soon' },
  expired: { zh: '证书已过期', en: 'the certificate has expired' },
  not_yet_valid: { zh: '证书尚未生效（可能是本机时间不准）', en: 'the certificate is not valid yet (the clock may be wrong)' },
  revoked: { zh: '证书已被吊销', en: 'the certificate has been revoked' },
  chain_invalid: { zh: '证书链无法验证到受信任的根证书', en: 'the chain does not verify to a trusted anchor' },
  unsupported_algorithm: { zh: '证书链中的签名算法无法验证', en: 'a signature algorithm on the chain cannot be verified' },
  weak_algorithm: { zh: '证书使用弱算法（SHA-1 签名或过短的 RSA 密钥）', en: 'the certificate uses a weak algorithm (SHA-1 signature or short RSA key)' },
  unparsable: { zh: '证书无法解析', en: 'the certificate cannot be parsed' },
  revocation_unknown: { zh: 'OCSP 响应方不认识该证书', en: 'the OCSP responder does not know the certificate' },
  crl_stale: { zh: '证书吊销列表（CRL）即将过期或已过期', en: 'the CRL is near or past its nextUpdate' },
  crl_unavailable: { zh: '证书吊销列表（CRL）无法获取', en: 'the CRL cannot be fetched or read' },
  crl_invalid: { zh: '证书吊销列表（CRL）无效或签名无法验证', en: 'the CRL is invalid or its signature does not verify' },
  ocsp_unavailable: { zh: 'OCSP 响应方无法访问', en: 'the OCSP responder cannot be reached' },
  ocsp_invalid: { zh: 'OCSP 响应无效', en: 'the OCSP response is invalid' },
} as const satisfies Record<string, Text>;

export type CertReason = keyof typeof CERT_REASONS;

const num = (v: unknown): number => (typeof v === 'number' ? v : Number.NaN);

/**
 * The fault rules every check that sees certificates uses. CERT_EXPIRING is one fault whose severity follows the
 * days left (policy.expiry); revocation-source problems are faults of their own, never "revoked".
 */
export function certificateRules(result: ProbeResult, policy: CertificatePolicy | undefined): FaultSignal | null {
  const expiry = resolveCertificatePolicy(policy).expiry;
  const graded = (days: number): FaultSignal | null => {
    if (!Number.isFinite(days)) return { code: 'CERT_EXPIRING', severity: 'minor' };
    const s = gradeExpiry(days, expiry);
    return s ? { code: 'CERT_EXPIRING', severity: s } : null;
  };
  switch (result.reason as CertReason) {
    case 'expiring':
      return graded(num(result.evidence.daysLeft));
    case 'chain_expiring':
      return graded(num(result.evidence.chainDaysLeft));
    case 'expired':
      return { code: 'CERT_EXPIRED', severity: 'critical' };
    case 'not_yet_valid':
      return { code: 'CERT_NOT_YET_VALID', severity: 'critical' };
    case 'revoked':
      return { code: 'CERT_REVOKED', severity: 'critical' };
    case 'chain_invalid':
    case 'unsupported_algorithm':
      return { code: 'CERT_CHAIN_INVALID', severity: 'major' };
    case 'weak_algorithm':
      return { code: 'CERT_WEAK', severity: 'minor' };
    case 'unparsable':
      return { code: 'CERT_UNPARSABLE', severity: 'major' };
    case 'crl_stale':
      // By the source's status, which compares times: a CRL with an hour left is not past its nextUpdate.
      return { code: 'CRL_STALE', severity: result.evidence.status === 'expiring' ? 'minor' : 'major' };
    case 'crl_unavailable':
    case 'crl_invalid':
    case 'ocsp_unavailable':
    case 'ocsp_invalid':
    case 'revocation_unknown':
      return { code: 'REVOCATION_UNAVAILABLE', severity: 'minor' };
    default:
      return null;
  }
}
