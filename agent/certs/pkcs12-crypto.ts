import { createDecipheriv, createHash, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';
import forge from 'node-forge';

/**
 * The PKCS#12 container's own cryptography, done with Node's crypto (OpenSSL) where it can: the RFC 7292 key
 * derivation, the integrity MAC, PBES2 (PBKDF2 + AES/3DES/SM4) and the legacy PKCS#12 PBEs. RC2 is no longer in
 * OpenSSL 3's default provider, yet Windows exports certificate bags with 40-bit RC2 to this day, so RC2 alone
 * comes from node-forge (pure JS). Private-key bags are never decrypted: only certificates are wanted.
 */

export class Pkcs12CryptoError extends Error {
  constructor(
    readonly kind: 'bad_password' | 'unsupported_pkcs12' | 'bad_pkcs12',
    message: string,
  ) {
    super(message);
  }
}

const HASHES: Record<string, { name: string; u: number; v: number }> = {
  '1.3.14.3.2.26': { name: 'sha1', u: 20, v: 64 },
  '2.16.840.1.101.3.4.2.4': { name: 'sha224', u: 28, v: 64 },
  '2.16.840.1.101.3.4.2.1': { name: 'sha256', u: 32, v: 64 },
  '2.16.840.1.101.3.4.2.2': { name: 'sha384', u: 48, v: 128 },
  '2.16.840.1.101.3.4.2.3': { name: 'sha512', u: 64, v: 128 },
};

/** PKCS#12 passwords are BMPStrings (UTF-16BE) with a terminating NUL; an absent password is zero bytes. */
export function bmpPassword(password: string | null): Buffer {
  if (password === null) return Buffer.alloc(0);
  const b = Buffer.alloc((password.length + 1) * 2);
  for (let i = 0; i < password.length; i++) b.writeUInt16BE(password.charCodeAt(i), i * 2);
  return b;
}

/** RFC 7292 appendix B.2: derives key (id 1), IV (id 2) or MAC key (id 3) material. */
export function pkcs12Kdf(hashOid: string, password: Buffer, salt: Buffer, id: number, iterations: number, n: number): Buffer {
  const h = HASHES[hashOid];
  if (!h) throw new Pkcs12CryptoError('unsupported_pkcs12', `PKCS#12 key derivation with hash ${hashOid}`);
  const { u, v } = h;
  const fill = (src: Buffer): Buffer => {
    if (src.length === 0) return Buffer.alloc(0);
    const out = Buffer.alloc(v * Math.ceil(src.length / v));
    for (let i = 0; i < out.length; i++) out[i] = src[i % src.length]!;
    return out;
  };
  const D = Buffer.alloc(v, id);
  const I = Buffer.concat([fill(salt), fill(password)]);
  const out: Buffer[] = [];
  for (let produced = 0; produced < n; produced += u) {
    let A = createHash(h.name).update(D).update(I).digest();
    for (let r = 1; r < iterations; r++) A = createHash(h.name).update(A).digest();
    out.push(A);
    const B = Buffer.alloc(v);
    for (let i = 0; i < v; i++) B[i] = A[i % u]!;
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = I[j + k]! + B[k]! + carry;
        I[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(out).subarray(0, n);
}

/** Checks the PFX MacData (HMAC over the AuthenticatedSafe). */
export function macMatches(hashOid: string, password: Buffer, salt: Buffer, iterations: number, data: Buffer, expected: Buffer): boolean {
  const h = HASHES[hashOid];
  if (!h) throw new Pkcs12CryptoError('unsupported_pkcs12', `PKCS#12 MAC with hash ${hashOid}`);
  const key = pkcs12Kdf(hashOid, password, salt, 3, iterations, h.u);
  const mac = createHmac(h.name, key).update(data).digest();
  return mac.length === expected.length && timingSafeEqual(mac, expected);
}

const PBE_LEGACY: Record<string, { cipher: string; keyLen: number; ivLen: number }> = {
  '1.2.840.113549.1.12.1.3': { cipher: 'des-ede3-cbc', keyLen: 24, ivLen: 8 },
  '1.2.840.113549.1.12.1.4': { cipher: 'des-ede-cbc', keyLen: 16, ivLen: 8 },
  '1.2.840.113549.1.12.1.5': { cipher: 'rc2-128', keyLen: 16, ivLen: 8 },
  '1.2.840.113549.1.12.1.6': { cipher: 'rc2-40', keyLen: 5, ivLen: 8 },
};

const PBES2_CIPHERS: Record<string, { cipher: string; keyLen: number }> = {
  '2.16.840.1.101.3.4.1.2': { cipher: 'aes-128-cbc', keyLen: 16 },
  '2.16.840.1.101.3.4.1.22': { cipher: 'aes-192-cbc', keyLen: 24 },
  '2.16.840.1.101.3.4.1.42': { cipher: 'aes-256-cbc', keyLen: 32 },
  '1.2.840.113549.3.7': { cipher: 'des-ede3-cbc', keyLen: 24 },
  '1.2.156.10197.1.104.2': { cipher: 'sm4-cbc', keyLen: 16 },
};

const PRFS: Record<string, string> = {
  '1.2.840.113549.2.7': 'sha1',
  '1.2.840.113549.2.8': 'sha224',
  '1.2.840.113549.2.9': 'sha256',
  '1.2.840.113549.2.10': 'sha384',
  '1.2.840.113549.2.11': 'sha512',
};

export interface Pbes2Params {
  salt: Buffer;
  iterations: number;
  keyLength?: number;
  prfOid?: string;
  cipherOid: string;
  iv: Buffer;
}

export function isLegacyPbe(oid: string): boolean {
  return oid in PBE_LEGACY;
}

/** Decrypts with a PKCS#12 legacy PBE (SHA-1 KDF; 3DES via OpenSSL, RC2 via node-forge). */
export function decryptLegacy(oid: string, password: string | null, salt: Buffer, iterations: number, data: Buffer): Buffer {
  const p = PBE_LEGACY[oid]!;
  const pw = bmpPassword(password);
  const key = pkcs12Kdf('1.3.14.3.2.26', pw, salt, 1, iterations, p.keyLen);
  const iv = pkcs12Kdf('1.3.14.3.2.26', pw, salt, 2, iterations, p.ivLen);
  if (p.cipher.startsWith('rc2')) return rc2Decrypt(key, iv, data, p.keyLen * 8);
  return decipher(p.cipher, key, iv, data);
}

export function decryptPbes2(params: Pbes2Params, password: string | null, data: Buffer): Buffer {
  const c = PBES2_CIPHERS[params.cipherOid];
  if (!c) throw new Pkcs12CryptoError('unsupported_pkcs12', `PBES2 cipher ${params.cipherOid}`);
  const prf = PRFS[params.prfOid ?? '1.2.840.113549.2.7'];
  if (!prf) throw new Pkcs12CryptoError('unsupported_pkcs12', `PBKDF2 with PRF ${params.prfOid}`);
  const key = pbkdf2Sync(Buffer.from(password ?? '', 'utf8'), params.salt, params.iterations, params.keyLength ?? c.keyLen, prf);
  return decipher(c.cipher, key, params.iv, data);
}

function decipher(cipher: string, key: Buffer, iv: Buffer, data: Buffer): Buffer {
  try {
    const d = createDecipheriv(cipher, key, iv);
    return Buffer.concat([d.update(data), d.final()]);
  } catch (err) {
    if (/bad decrypt|wrong final block/i.test((err as Error).message)) throw new Pkcs12CryptoError('bad_password', 'decryption failed: wrong password');
    throw new Pkcs12CryptoError('unsupported_pkcs12', `${cipher}: ${(err as Error).message}`);
  }
}

function rc2Decrypt(key: Buffer, iv: Buffer, data: Buffer, bits: number): Buffer {
  const d = forge.rc2.createDecryptionCipher(forge.util.createBuffer(key.toString('binary')), bits);
  d.start(forge.util.createBuffer(iv.toString('binary')));
  d.update(forge.util.createBuffer(data.toString('binary')));
  if (!d.finish()) throw new Pkcs12CryptoError('bad_password', 'RC2 decryption failed: wrong password');
  return Buffer.from(d.output.getBytes(), 'binary');
}
