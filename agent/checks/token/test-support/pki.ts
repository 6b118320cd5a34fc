/**
 * Test-only: the certificates and keys the token tests put on SoftHSM tokens, taken from the certificate engine's
 * shared test PKI (agent/certs/test-support/pki.ts: openssl at test time, cached per day). Certificates as DER,
 * private keys as PKCS#8 DER, ready for pkcs11-tool.
 */
import { getTestPki } from '../../../certs/test-support/pki.js';

export interface Leaf {
  cert: string;
  /** PKCS#8 DER private key. */
  key: string;
}

export interface TokenTestPki {
  /** RSA-2048 signing leaf. */
  rsa: Leaf;
  /** ECDSA P-256 signing leaf. */
  ec: Leaf;
  /** RSA leaf expiring in 5.5 days. */
  expiringSoon: Leaf;
  /** SM2 dual pair (same holder): signing and encryption, signed with the GB/T distinguishing ID. */
  sm2Sign: Leaf;
  sm2Enc: Leaf;
  /** Root certificates of the RSA, ECDSA and SM2 families. */
  anchors: string[];
  /** Their intermediates (the leaves' issuers). */
  intermediates: string[];
}

export async function tokenTestPki(): Promise<TokenTestPki> {
  const pki = await getTestPki();
  const leaf = (name: string): Leaf => ({ cert: pki.path(name, 'der'), key: pki.path(name, 'p8.der') });
  return {
    rsa: leaf('rsa-leaf'),
    ec: leaf('ec-leaf'),
    expiringSoon: leaf('rsa-exp5'),
    sm2Sign: leaf('sm2-sign'),
    sm2Enc: leaf('sm2-enc'),
    anchors: ['rsa-root', 'ec-root', 'sm2-root'].map((n) => pki.path(n)),
    intermediates: ['rsa-int', 'ec-int', 'sm2-int'].map((n) => pki.path(n)),
  };
}
