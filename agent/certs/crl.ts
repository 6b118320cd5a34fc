import { createHash } from 'node:crypto';
import { findDerError, normalSerial, splitSigned, type SignedParts } from './der.js';
import type { ParsedCertificate } from './parse-certificate.js';
import { verifySignature } from './signature.js';
import { x509 } from './x509.js';

/** RFC 5280 CRLReason names. */
const REASONS = ['unspecified', 'keyCompromise', 'cACompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'certificateHold', '', 'removeFromCRL', 'privilegeWithdrawn', 'aACompromise'];

export interface Crl {
  sha256: string;
  issuer: string;
  thisUpdate: Date;
  nextUpdate?: Date;
  /** Revoked serials, normalised (no leading zero bytes, upper case). */
  revoked: Map<string, { date: Date; reason?: string }>;
  signed: SignedParts;
}

export class CrlError extends Error {
  constructor(
    message: string,
    readonly offset?: number,
  ) {
    super(offset === undefined ? message : `${message} (byte ${offset})`);
  }
}

/** Parsed CRLs by content hash: a large CRL is parsed once however many checks and runs use it. */
const parsed = new Map<string, Crl>();
const PARSED_MAX = 32;

/** Parses a CRL from DER or PEM bytes. */
export function parseCrl(bytes: Uint8Array): Crl {
  const der = pemToDer(bytes);
  const sha256 = createHash('sha256').update(der).digest('hex');
  const known = parsed.get(sha256);
  if (known) return known;
  const broken = findDerError(der);
  if (broken) throw new CrlError(`not a DER CRL: ${broken.message}`, broken.offset);
  let crl: InstanceType<typeof x509.X509Crl>;
  try {
    crl = new x509.X509Crl(der);
  } catch (err) {
    throw new CrlError(`not a CRL: ${(err as Error).message}`);
  }
  const revoked = new Map<string, { date: Date; reason?: string }>();
  for (const e of crl.entries) {
    revoked.set(normalSerial(e.serialNumber), { date: e.revocationDate, reason: e.reason === undefined ? undefined : REASONS[e.reason] || String(e.reason) });
  }
  const out: Crl = { sha256, issuer: crl.issuer, thisUpdate: crl.thisUpdate, nextUpdate: crl.nextUpdate, revoked, signed: splitSigned(der) };
  if (parsed.size >= PARSED_MAX) parsed.delete(parsed.keys().next().value!);
  parsed.set(sha256, out);
  return out;
}

function pemToDer(bytes: Uint8Array): Uint8Array {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 1 << 20)).toString('latin1');
  if (!head.includes('-----BEGIN X509 CRL-----')) return bytes;
  // `openssl ca -gencrl -out` may put a text dump before the PEM block: only the block counts.
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const m = /-----BEGIN X509 CRL-----([\s\S]*?)-----END X509 CRL-----/.exec(text);
  if (!m) throw new CrlError('PEM CRL block has no END line', text.indexOf('-----BEGIN X509 CRL-----'));
  return new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'));
}

/**
 * The certificate that signed this CRL, among those known (anchors, intermediates, the source's own): same name,
 * allowed to sign CRLs, and its key verifies the CRL's signature (SM2 included). Null when none does.
 */
export function crlSigner(crl: Crl, known: ParsedCertificate[]): ParsedCertificate | null {
  for (const c of known) {
    if (c.subject !== crl.issuer) continue;
    if (c.hasKeyUsage && !c.keyUsage.includes('cRLSign')) continue;
    if (verifySignature(crl.signed, c.key).ok) return c;
  }
  return null;
}

export function lookupSerial(crl: Crl, serialHex: string): { date: Date; reason?: string } | undefined {
  return crl.revoked.get(normalSerial(serialHex));
}
