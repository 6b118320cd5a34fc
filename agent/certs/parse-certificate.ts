import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { childrenOf, contentOf, findDerError, hex, oidFromContent, readTlv, splitSigned, type SignedParts } from './der.js';
import { CURVE_NAMES, EKU_NAMES, OID, signatureAlgorithmName } from './oids.js';
import { x509 } from './x509.js';

export interface PublicKeyInfo {
  /** 'RSA', 'EC', 'SM2', 'DSA', 'Ed25519', 'Ed448', 'RSASSA-PSS', or the OID of anything else. */
  algorithm: string;
  /** Modulus bits for RSA/DSA, curve bits for EC/SM2. */
  bits?: number;
  /** 'P-256', 'P-384', 'SM2', ... */
  curve?: string;
  /** DER SubjectPublicKeyInfo: what signatures are checked against and trust anchors are matched on. */
  spki: Uint8Array;
  /** The subjectPublicKey BIT STRING's bits (an EC point 04||X||Y for EC and SM2). */
  keyBits: Uint8Array;
}

/** Everything the engine reads from one certificate; computed once per DER. */
export interface ParsedCertificate {
  der: Uint8Array;
  /** SHA-256 of the DER, lower-case hex. */
  sha256: string;
  subject: string;
  issuer: string;
  commonName?: string;
  /** Hex of the serial INTEGER's bytes as encoded (a leading 00 sign byte or zeros are kept). */
  serial: string;
  notBefore: Date;
  notAfter: Date;
  key: PublicKeyInfo;
  signed: SignedParts;
  signatureAlgorithm: string;
  keyUsage: string[];
  /** False when the certificate has no keyUsage extension (then every use is allowed). */
  hasKeyUsage: boolean;
  extendedKeyUsage: string[];
  isCA: boolean;
  subjectKeyId?: string;
  authorityKeyId?: string;
  ocspUrls: string[];
  crlUrls: string[];
  selfIssued: boolean;
}

const KEY_USAGE_BITS: [number, string][] = [
  [1, 'digitalSignature'], [2, 'nonRepudiation'], [4, 'keyEncipherment'], [8, 'dataEncipherment'], [16, 'keyAgreement'],
  [32, 'keyCertSign'], [64, 'cRLSign'], [128, 'encipherOnly'], [256, 'decipherOnly'],
];

export class CertificateParseError extends Error {
  constructor(
    message: string,
    readonly offset?: number,
  ) {
    super(offset === undefined ? message : `${message} (byte ${offset})`);
    this.name = 'CertificateParseError';
  }
}

/** Parses one DER certificate. Throws CertificateParseError with the byte offset of the damage where it can tell. */
export function parseCertificate(der: Uint8Array): ParsedCertificate {
  const structural = findDerError(der);
  if (structural) throw new CertificateParseError(`not a DER certificate: ${structural.message}`, structural.offset);
  let c: InstanceType<typeof x509.X509Certificate>;
  let signed: SignedParts;
  try {
    signed = splitSigned(der);
    c = new x509.X509Certificate(der);
  } catch (err) {
    throw new CertificateParseError(`not an X.509 certificate: ${(err as Error).message}`, (err as { offset?: number }).offset);
  }
  const key = publicKeyInfo(new Uint8Array(c.publicKey.rawData));
  const ext = extensions(c);
  const subject = c.subject;
  const issuer = c.issuer;
  return {
    der,
    sha256: createHash('sha256').update(der).digest('hex'),
    subject,
    issuer,
    commonName: c.subjectName.getField('CN')[0],
    serial: serialHex(signed.tbs),
    notBefore: c.notBefore,
    notAfter: c.notAfter,
    key,
    signed,
    signatureAlgorithm: signatureAlgorithmName(signed.signatureOid),
    ...ext,
    selfIssued: subject === issuer,
  };
}

/** The serial INTEGER is the first field of tbsCertificate, after an optional [0] version. */
function serialHex(tbs: Uint8Array): string {
  const fields = childrenOf(tbs, readTlv(tbs, 0));
  const serial = fields[0]?.tag === 0xa0 ? fields[1] : fields[0];
  if (!serial || serial.tag !== 0x02) throw new CertificateParseError('no serial number', serial?.start);
  return hex(contentOf(tbs, serial));
}

/** Algorithm, size and curve of a SubjectPublicKeyInfo; unknown algorithms come back as their OID. */
export function publicKeyInfo(spki: Uint8Array): PublicKeyInfo {
  const top = readTlv(spki, 0);
  const [alg, bits] = childrenOf(spki, top);
  if (!alg || !bits) throw new CertificateParseError('malformed SubjectPublicKeyInfo');
  const [oidTlv, params] = childrenOf(spki, alg);
  const oid = oidTlv ? oidFromContent(contentOf(spki, oidTlv)) : '';
  const keyBits = contentOf(spki, bits).subarray(1);
  const info: PublicKeyInfo = { algorithm: oid, spki, keyBits };
  if (oid === OID.ecPublicKey || oid === OID.sm2Curve) {
    const curveOid = params?.tag === 0x06 ? oidFromContent(contentOf(spki, params)) : oid;
    const curve = CURVE_NAMES[curveOid];
    info.algorithm = curveOid === OID.sm2Curve ? 'SM2' : 'EC';
    info.curve = curve?.name ?? curveOid;
    info.bits = curve?.bits;
  } else if (oid === OID.rsaEncryption || oid === OID.rsassaPss || oid === OID.dsa) {
    info.algorithm = oid === OID.rsaEncryption ? 'RSA' : oid === OID.dsa ? 'DSA' : 'RSASSA-PSS';
    info.bits = oid === OID.dsa ? keyObject(info)?.asymmetricKeyDetails?.modulusLength : rsaModulusBits(keyBits);
  } else if (oid === OID.ed25519 || oid === OID.ed448) {
    info.algorithm = oid === OID.ed25519 ? 'Ed25519' : 'Ed448';
    info.bits = oid === OID.ed25519 ? 256 : 456;
  }
  return info;
}

/** Bits of an RSAPublicKey's modulus, read from the DER (loading a KeyObject just for this costs more than parsing). */
function rsaModulusBits(rsaPublicKey: Uint8Array): number | undefined {
  try {
    const modulus = childrenOf(rsaPublicKey, readTlv(rsaPublicKey, 0))[0];
    if (!modulus || modulus.tag !== 0x02) return undefined;
    let m = contentOf(rsaPublicKey, modulus);
    while (m.length > 1 && m[0] === 0) m = m.subarray(1);
    return (m.length - 1) * 8 + (32 - Math.clz32(m[0]!));
  } catch {
    return undefined;
  }
}

const keyObjects = new WeakMap<Uint8Array, KeyObject | null>();

/** Node's KeyObject for a public key, or null when OpenSSL cannot load it. Cached per key. */
export function keyObject(key: PublicKeyInfo): KeyObject | null {
  let k = keyObjects.get(key.spki);
  if (k === undefined) {
    try {
      k = createPublicKey({ key: Buffer.from(key.spki), format: 'der', type: 'spki' });
    } catch {
      k = null;
    }
    keyObjects.set(key.spki, k);
  }
  return k;
}

type Extensions = Pick<
  ParsedCertificate,
  'keyUsage' | 'hasKeyUsage' | 'extendedKeyUsage' | 'isCA' | 'subjectKeyId' | 'authorityKeyId' | 'ocspUrls' | 'crlUrls'
>;

/** Reads the extensions the engine acts on. A malformed one is skipped: the report still has everything else. */
function extensions(c: InstanceType<typeof x509.X509Certificate>): Extensions {
  const out: Extensions = { keyUsage: [], hasKeyUsage: false, extendedKeyUsage: [], isCA: false, ocspUrls: [], crlUrls: [] };
  const read = <T>(f: () => T): T | undefined => {
    try {
      return f();
    } catch {
      return undefined;
    }
  };
  const ku = read(() => c.getExtension(x509.KeyUsagesExtension));
  if (ku) {
    out.hasKeyUsage = true;
    out.keyUsage = KEY_USAGE_BITS.filter(([bit]) => (ku.usages & bit) !== 0).map(([, name]) => name);
  }
  const eku = read(() => c.getExtension(x509.ExtendedKeyUsageExtension));
  if (eku) out.extendedKeyUsage = eku.usages.map((u) => EKU_NAMES[String(u)] ?? String(u));
  const bc = read(() => c.getExtension(x509.BasicConstraintsExtension));
  out.isCA = bc?.ca === true;
  out.subjectKeyId = read(() => c.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId)?.toLowerCase();
  out.authorityKeyId = read(() => c.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId)?.toLowerCase();
  const aia = read(() => c.getExtension(x509.AuthorityInfoAccessExtension));
  out.ocspUrls = (aia?.ocsp ?? []).filter((n) => n.type === 'url').map((n) => n.value);
  const cdp = read(() => c.getExtension(x509.CRLDistributionPointsExtension));
  for (const dp of cdp?.distributionPoints ?? []) {
    for (const name of dp.distributionPoint?.fullName ?? []) {
      if (name.uniformResourceIdentifier) out.crlUrls.push(name.uniformResourceIdentifier);
    }
  }
  return out;
}
