import type { ParsedCertificate } from './parse-certificate.js';
import type { CertificateRole } from './types.js';

const SIGNING = ['digitalSignature', 'nonRepudiation'];
const ENCRYPTION = ['keyEncipherment', 'dataEncipherment', 'keyAgreement'];

/** Signing or encryption certificate, by keyUsage (GDCA and other Chinese CAs issue one of each per key holder). */
export function roleOf(c: ParsedCertificate): CertificateRole {
  if (c.isCA) return 'ca';
  const sign = c.keyUsage.some((u) => SIGNING.includes(u));
  const enc = c.keyUsage.some((u) => ENCRYPTION.includes(u));
  if (sign && enc) return 'signing+encryption';
  if (sign) return 'signing';
  if (enc) return 'encryption';
  return 'unknown';
}

export function kindOf(c: ParsedCertificate, selfSigned: boolean): 'leaf' | 'intermediate' | 'root' {
  if (!c.isCA) return 'leaf';
  return selfSigned ? 'root' : 'intermediate';
}

/**
 * Pairs signing with encryption certificates: first those sharing an id (a token's CKA_ID, a PKCS#12 localKeyId),
 * then, among the rest, the same subject from the same issuer (dual certificates usually sit on two key pairs with
 * different ids). Returns, per input index, the partner's index.
 */
export function pairCertificates(items: { index: number; cert: ParsedCertificate; id?: string }[]): Map<number, number> {
  const pairs = new Map<number, number>();
  const leaves = items.filter((it) => !it.cert.isCA);
  pairWithin(leaves.filter((it) => it.id), (it) => it.id!.toLowerCase(), pairs);
  pairWithin(leaves.filter((it) => !pairs.has(it.index)), (it) => `${it.cert.subject}\u0000${it.cert.issuer}`, pairs);
  return pairs;
}

function pairWithin<T extends { index: number; cert: ParsedCertificate }>(items: T[], keyOf: (it: T) => string, pairs: Map<number, number>): void {
  const groups = new Map<string, T[]>();
  for (const it of items) groups.set(keyOf(it), [...(groups.get(keyOf(it)) ?? []), it]);
  for (const group of groups.values()) {
    const signing = group.filter((g) => roleOf(g.cert) === 'signing');
    const encryption = group.filter((g) => roleOf(g.cert) === 'encryption');
    for (let i = 0; i < Math.min(signing.length, encryption.length); i++) {
      pairs.set(signing[i]!.index, encryption[i]!.index);
      pairs.set(encryption[i]!.index, signing[i]!.index);
    }
  }
}
