import * as asn1js from 'asn1js';
import {
  bmpPassword,
  decryptLegacy,
  decryptPbes2,
  isLegacyPbe,
  macMatches,
  Pkcs12CryptoError,
  type Pbes2Params,
} from './pkcs12-crypto.js';

/**
 * Reads the certificates out of a PKCS#12 (PFX) container: verifies the MAC with the password, decrypts the
 * certificate bags, and skips key bags unopened. asn1js parses the structure (PFX files are often BER, with
 * constructed OCTET STRINGs, which a strict DER reader would refuse). Why not node-forge or pkijs: forge decrypts
 * every key bag and only reads RSA keys; pkijs only decrypts PBES2, not the 3DES/RC2 PBEs of Windows exports.
 */

export interface Pkcs12Certificate {
  der: Uint8Array;
  /** friendlyName attribute. */
  label?: string;
  /** localKeyId attribute (hex): pairs a certificate with its key, and here signing with encryption certificates. */
  id?: string;
}

export class Pkcs12Error extends Error {
  constructor(
    readonly kind: 'bad_pkcs12' | 'bad_password' | 'unsupported_pkcs12',
    message: string,
  ) {
    super(message);
  }
}

const OIDS = {
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  certBag: '1.2.840.113549.1.12.10.1.3',
  safeContentsBag: '1.2.840.113549.1.12.10.1.6',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  friendlyName: '1.2.840.113549.1.9.20',
  localKeyId: '1.2.840.113549.1.9.21',
};

type Block = asn1js.AsnType & { idBlock: { tagClass: number; tagNumber: number; isConstructed: boolean }; valueBlock: any };

const bad = (msg: string) => new Pkcs12Error('bad_pkcs12', msg);
const kids = (b: Block | undefined, what: string): Block[] => {
  const v = b?.valueBlock?.value;
  if (!Array.isArray(v)) throw bad(`${what}: expected a constructed value`);
  return v as Block[];
};
const oidOf = (b: Block | undefined, what: string): string => {
  if (!(b instanceof asn1js.ObjectIdentifier)) throw bad(`${what}: expected an OID`);
  return b.valueBlock.toString();
};
const intOf = (b: Block | undefined, what: string): number => {
  if (!(b instanceof asn1js.Integer)) throw bad(`${what}: expected an INTEGER`);
  return Number(b.toBigInt());
};
/** The bytes of an OCTET STRING, primitive or constructed, whatever its tag (IMPLICIT [0] included). */
function octets(b: Block | undefined, what: string): Buffer {
  if (!b) throw bad(`${what}: missing`);
  if (!b.idBlock.isConstructed) return Buffer.from(b.valueBlock.valueHexView as Uint8Array);
  return Buffer.concat(kids(b, what).map((k) => octets(k, what)));
}
function parse(bytes: Uint8Array, what: string): Block {
  const r = asn1js.fromBER(bytes);
  if (r.offset === -1) throw bad(`${what}: ${r.result.error || 'not ASN.1'}`);
  return r.result as unknown as Block;
}
/** ContentInfo's [0] EXPLICIT content. */
const explicit0 = (ci: Block, what: string): Block => {
  const wrapper = kids(ci, what)[1];
  const inner = wrapper ? kids(wrapper, what)[0] : undefined;
  if (!inner) throw bad(`${what}: no content`);
  return inner;
};

export function readPkcs12(bytes: Uint8Array, password: string | null): Pkcs12Certificate[] {
  try {
    return readUnchecked(bytes, password);
  } catch (err) {
    if (err instanceof Pkcs12Error) throw err;
    if (err instanceof Pkcs12CryptoError) throw new Pkcs12Error(err.kind, err.message);
    throw bad((err as Error).message);
  }
}

function readUnchecked(bytes: Uint8Array, password: string | null): Pkcs12Certificate[] {
  const [version, authSafe, macData] = kids(parse(bytes, 'PFX'), 'PFX');
  if (intOf(version, 'PFX version') !== 3) throw bad('PFX version is not 3');
  const authType = oidOf(kids(authSafe, 'authSafe')[0], 'authSafe type');
  if (authType !== OIDS.data) throw new Pkcs12Error('unsupported_pkcs12', `public-key integrity mode (${authType}) is not supported`);
  const authBytes = octets(explicit0(authSafe!, 'authSafe'), 'authSafe');
  const usable = macData ? checkMac(macData, authBytes, password) : password;

  const certs: Pkcs12Certificate[] = [];
  for (const ci of kids(parse(authBytes, 'AuthenticatedSafe'), 'AuthenticatedSafe')) {
    const type = oidOf(kids(ci, 'ContentInfo')[0], 'ContentInfo type');
    if (type === OIDS.data) readBags(octets(explicit0(ci, 'ContentInfo'), 'SafeContents'), certs);
    else if (type === OIDS.encryptedData) readBags(decryptContent(explicit0(ci, 'EncryptedData'), usable), certs);
    else throw new Pkcs12Error('unsupported_pkcs12', `content type ${type} (e.g. public-key privacy mode) is not supported`);
  }
  return certs;
}

/** Verifies the MAC and returns the password form that matched (an empty password has two encodings in the wild). */
function checkMac(macData: Block, authBytes: Buffer, password: string | null): string | null {
  const [digestInfo, saltB, iterB] = kids(macData, 'MacData');
  const [alg, digestB] = kids(digestInfo, 'DigestInfo');
  const hashOid = oidOf(kids(alg, 'MAC algorithm')[0], 'MAC algorithm');
  const salt = octets(saltB, 'MAC salt');
  const iterations = iterB ? intOf(iterB, 'MAC iterations') : 1;
  const digest = octets(digestB, 'MAC digest');
  const tries = password ? [password] : ['', null];
  for (const p of tries) {
    if (macMatches(hashOid, bmpPassword(p), salt, iterations, authBytes, digest)) return p;
  }
  throw new Pkcs12Error('bad_password', password ? 'the PKCS#12 password is wrong (MAC check failed)' : 'the PKCS#12 file needs a password');
}

function decryptContent(encryptedData: Block, password: string | null): Buffer {
  const eci = kids(encryptedData, 'EncryptedData')[1];
  const [, algId, content] = kids(eci, 'EncryptedContentInfo');
  const [algOid, params] = kids(algId, 'encryption algorithm');
  const oid = oidOf(algOid, 'encryption algorithm');
  const data = octets(content, 'encrypted content');
  if (isLegacyPbe(oid)) {
    const [salt, iter] = kids(params, 'PBE parameters');
    return decryptLegacy(oid, password, octets(salt, 'PBE salt'), intOf(iter, 'PBE iterations'), data);
  }
  if (oid === OIDS.pbes2) return decryptPbes2(pbes2Params(params!), password, data);
  throw new Pkcs12Error('unsupported_pkcs12', `certificate bags encrypted with ${oid} are not supported`);
}

function pbes2Params(params: Block): Pbes2Params {
  const [kdf, scheme] = kids(params, 'PBES2 parameters');
  const [kdfOid, kdfParams] = kids(kdf, 'PBES2 KDF');
  if (oidOf(kdfOid, 'PBES2 KDF') !== OIDS.pbkdf2) throw new Pkcs12Error('unsupported_pkcs12', 'PBES2 with a KDF other than PBKDF2');
  const p = kids(kdfParams, 'PBKDF2 parameters');
  const out: Pbes2Params = { salt: octets(p[0], 'PBKDF2 salt'), iterations: intOf(p[1], 'PBKDF2 iterations'), cipherOid: '', iv: Buffer.alloc(0) };
  for (const extra of p.slice(2)) {
    if (extra instanceof asn1js.Integer) out.keyLength = Number(extra.toBigInt());
    else out.prfOid = oidOf(kids(extra, 'PBKDF2 PRF')[0], 'PBKDF2 PRF');
  }
  const [cipherOid, iv] = kids(scheme, 'PBES2 cipher');
  out.cipherOid = oidOf(cipherOid, 'PBES2 cipher');
  out.iv = octets(iv, 'PBES2 IV');
  return out;
}

function readBags(safeContents: Buffer, out: Pkcs12Certificate[]): void {
  for (const bag of kids(parse(safeContents, 'SafeContents'), 'SafeContents')) {
    const [idB, valueWrapper, attrs] = kids(bag, 'SafeBag');
    const bagId = oidOf(idB, 'SafeBag type');
    const value = kids(valueWrapper, 'SafeBag value')[0];
    if (bagId === OIDS.safeContentsBag) {
      readBags(Buffer.from(value!.toBER(false)), out);
      continue;
    }
    if (bagId !== OIDS.certBag) continue; // key bags stay sealed; CRL and secret bags are not ours
    const [certType, certValue] = kids(value, 'CertBag');
    if (oidOf(certType, 'CertBag type') !== OIDS.x509Certificate) continue;
    const cert: Pkcs12Certificate = { der: new Uint8Array(octets(kids(certValue, 'CertBag value')[0], 'certificate')) };
    for (const attr of attrs ? kids(attrs, 'bag attributes') : []) {
      const [aOid, aValues] = kids(attr, 'attribute');
      const first = kids(aValues, 'attribute values')[0];
      const type = oidOf(aOid, 'attribute type');
      if (type === OIDS.friendlyName && first instanceof asn1js.BmpString) cert.label = first.valueBlock.value;
      if (type === OIDS.localKeyId && first) cert.id = octets(first, 'localKeyId').toString('hex');
    }
    out.push(cert);
  }
}
