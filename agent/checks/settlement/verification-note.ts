import type { ProbeResult } from '../../core/checks/result.js';
import type { Text } from '../../core/text.js';
import type { CertificatePolicy } from '../../certs/index.js';
import type { TrustSettings } from '../../net/index.js';

/**
 * What each certificate result was verified against, said in evidence and message: the connection by the endpoint's
 * `trust` (Node, at the handshake), the chain by the engine against `certificates.anchors`. They are separate checks,
 * and a chain "not_checked" next to a verified connection reads as a contradiction unless both are named.
 */
export class VerificationNote {
  private readonly trust: { evidence: string; zh: string; en: string };
  private readonly anchors: { evidence: string; zh: string; en: string } | null;

  constructor(
    trust: TrustSettings,
    private readonly connectionVerified: boolean,
    policy: CertificatePolicy,
  ) {
    this.trust =
      trust.mode === 'caFile'
        ? { evidence: `trust.caFile ${trust.caFile}`, zh: `trust.caFile（${trust.caFile}）`, en: `trust.caFile ${trust.caFile}` }
        : trust.mode === 'pin'
          ? { evidence: 'trust.pins', zh: '固定公钥（trust.pins）', en: 'the pinned keys (trust.pins)' }
          : { evidence: 'system', zh: '系统证书库', en: 'the system store' };
    const files = policy.anchors ?? [];
    const parts = [...files, ...(policy.systemAnchors ? ['system'] : [])];
    this.anchors = parts.length ? { evidence: `certificates.anchors ${parts.join(', ')}`, zh: `certificates.anchors（${parts.join('、')}）`, en: `certificates.anchors (${parts.join(', ')})` } : null;
  }

  add(r: ProbeResult): ProbeResult {
    if (r.evidence.sha256 === undefined) return r; // a CRL/OCSP endpoint's result, or an unparsable certificate
    const note = this.note(String(r.evidence.chainStatus ?? 'not_checked'));
    return {
      ...r,
      evidence: { ...r.evidence, connectionTrust: this.trust.evidence, connectionVerified: this.connectionVerified, chainAnchors: this.anchors?.evidence ?? 'none' },
      message: { zh: `${r.message.zh}；${note.zh}`, en: `${r.message.en}; ${note.en}` },
    };
  }

  private note(chainStatus: string): Text {
    const conn: Text = this.connectionVerified
      ? { zh: `TLS 连接已按${this.trust.zh}验证通过`, en: `the TLS connection was verified against ${this.trust.en}` }
      : { zh: `TLS 连接未通过${this.trust.zh}验证`, en: `the TLS connection did not verify against ${this.trust.en}` };
    const chain: Text = !this.anchors
      ? { zh: '证书链未检查（未配置 certificates.anchors）', en: 'the chain was not checked (no certificates.anchors)' }
      : chainStatus === 'verified'
        ? { zh: `证书链已按${this.anchors.zh}验证`, en: `the chain verified against ${this.anchors.en}` }
        : { zh: `证书链未能按${this.anchors.zh}验证`, en: `the chain did not verify against ${this.anchors.en}` };
    return { zh: `${conn.zh}，${chain.zh}`, en: `${conn.en}, ${chain.en}` };
  }
}
