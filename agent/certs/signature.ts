import { constants, createHash, verify } from 'node:crypto';
import smCrypto from 'sm-crypto';
import { childrenOf, contentOf, oidFromContent, readTlv, type SignedParts } from './der.js';
import { HASH_OIDS, SIGNATURE_ALGORITHMS, signatureAlgorithmName } from './oids.js';
import { keyObject, type PublicKeyInfo } from './parse-certificate.js';
import { SM2_DEFAULT_ID, type Sm2Id } from './sm2-id.js';

export { SM2_DEFAULT_ID, type Sm2Id };

export type SignatureCheck =
  | { ok: true; sm2Id?: Sm2Id }
  | { ok: false; unsupported?: string; error?: string };

/** Verified signatures are facts that never change: remember them so hourly runs don't repeat slow SM2 maths. */
const memo = new Map<string, SignatureCheck>();
const MEMO_MAX = 4096;

/** Forgets remembered verifications: benchmarks measure cold verification with it. */
export function forgetVerifiedSignatures(): void {
  memo.clear();
}

/**
 * Verifies a signed object's signature with an issuer public key. RSA (PKCS#1 v1.5 and PSS), ECDSA, DSA and EdDSA
 * use Node's crypto (OpenSSL); SM3withSM2 tries the empty ID with Node first (fast, native) and then the GB/T ID
 * with sm-crypto, because Node has no way to set the SM2 distinguishing ID. An algorithm nobody here supports
 * comes back as `unsupported`, never as an exception.
 */
export function verifySignature(signed: SignedParts, issuerKey: PublicKeyInfo): SignatureCheck {
  const h = createHash('sha256').update(signed.signatureOid).update(signed.signatureParams ?? new Uint8Array(0));
  const memoKey = h.update(signed.tbs).update(signed.signature).update(issuerKey.spki).digest('base64');
  const known = memo.get(memoKey);
  if (known) return known;
  const result = verifyUncached(signed, issuerKey);
  if (!('unsupported' in result && result.unsupported)) {
    if (memo.size >= MEMO_MAX) memo.delete(memo.keys().next().value!);
    memo.set(memoKey, result);
  }
  return result;
}

function verifyUncached(signed: SignedParts, issuerKey: PublicKeyInfo): SignatureCheck {
  const alg = SIGNATURE_ALGORITHMS[signed.signatureOid];
  if (!alg) return { ok: false, unsupported: signatureAlgorithmName(signed.signatureOid) };
  if (alg.family === 'sm2') return verifySm2(signed, issuerKey);
  const key = keyObject(issuerKey);
  if (!key) return { ok: false, unsupported: `public key ${issuerKey.algorithm}` };
  try {
    if (alg.family === 'rsa-pss') {
      const pss = pssParams(signed.signatureParams);
      if ('unsupported' in pss) return { ok: false, unsupported: pss.unsupported };
      const ok = verify(pss.hash, signed.tbs, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: pss.saltLength }, signed.signature);
      return ok ? { ok } : { ok, error: 'signature does not verify' };
    }
    const ok = verify(alg.hash ?? null, signed.tbs, key, signed.signature);
    return ok ? { ok } : { ok, error: 'signature does not verify' };
  } catch (err) {
    // OpenSSL refuses a key/algorithm mismatch or a digest it lacks: that is a failed check, not a crash.
    const msg = (err as Error).message;
    if (/unsupported|disabled|not supported|invalid digest/i.test(msg)) return { ok: false, unsupported: `${alg.name}: ${msg}` };
    return { ok: false, error: msg };
  }
}

function verifySm2(signed: SignedParts, issuerKey: PublicKeyInfo): SignatureCheck {
  if (issuerKey.algorithm !== 'SM2') return { ok: false, error: `SM3withSM2 signature but the issuer key is ${issuerKey.algorithm}` };
  const key = keyObject(issuerKey);
  try {
    if (key && verify('sm3', signed.tbs, key, signed.signature)) return { ok: true, sm2Id: 'empty' };
  } catch {
    // fall through to sm-crypto
  }
  const point = issuerKey.keyBits;
  if (point[0] !== 0x04 || point.length !== 65) return { ok: false, unsupported: 'compressed SM2 public key' };
  const ok = smCrypto.sm2.doVerifySignature(Array.from(signed.tbs), Buffer.from(signed.signature).toString('hex'), Buffer.from(point).toString('hex'), {
    der: true,
    hash: true,
    userId: SM2_DEFAULT_ID,
  });
  return ok ? { ok: true, sm2Id: 'gbt' } : { ok: false, error: 'SM2 signature does not verify with ID 1234567812345678 nor the empty ID' };
}

/** RSASSA-PSS-params: Node uses MGF1 with the signature's hash, so other MGF hashes are reported unsupported. */
function pssParams(params: Uint8Array | undefined): { hash: string; saltLength: number } | { unsupported: string } {
  let hash = 'sha1';
  let mgfHash = 'sha1';
  let saltLength = 20;
  if (params) {
    const top = readTlv(params, 0);
    for (const field of childrenOf(params, top)) {
      const inner = childrenOf(params, field)[0];
      if (!inner) continue;
      if (field.tag === 0xa0) hash = HASH_OIDS[oidOf(params, inner)] ?? 'unknown';
      if (field.tag === 0xa1) {
        const mgfParams = childrenOf(params, inner)[1];
        mgfHash = mgfParams ? (HASH_OIDS[oidOf(params, mgfParams)] ?? 'unknown') : 'unknown';
      }
      if (field.tag === 0xa2) saltLength = Number(BigInt('0x' + (Buffer.from(contentOf(params, inner)).toString('hex') || '0')));
    }
  }
  if (hash === 'unknown' || hash !== mgfHash) return { unsupported: `RSASSA-PSS with ${hash} and MGF1-${mgfHash}` };
  return { hash, saltLength };
}

/** OID inside an AlgorithmIdentifier SEQUENCE. */
function oidOf(buf: Uint8Array, algId: ReturnType<typeof readTlv>): string {
  const first = childrenOf(buf, algId)[0];
  return first && first.tag === 0x06 ? oidFromContent(contentOf(buf, first)) : '';
}

