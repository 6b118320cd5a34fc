import * as asn1js from 'asn1js';
import { findDerError, oidFromContent, readTlv } from './der.js';
import { readPkcs12, Pkcs12Error } from './pkcs12.js';
import type { CertificateInput, SourceProblem } from './types.js';

export interface ParsedSource {
  certificates: CertificateInput[];
  problems: SourceProblem[];
  /** What the bytes were: for messages and evidence. */
  format: 'pem' | 'der' | 'pkcs7' | 'pkcs12' | 'unknown';
  /** PEM blocks that were not certificates (private keys, CRLs): skipped unread. */
  skipped: number;
}

const CERT_BLOCKS = new Set(['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE']);
const PKCS7_SIGNED_DATA = '1.2.840.113549.1.7.2';

/**
 * Reads certificates from file contents: PEM (one or many blocks, PKCS#7 blocks included), DER (one certificate or
 * several concatenated), PKCS#7 (.p7b chains) and PKCS#12 (.p12/.pfx; `password` opens it, null tries the empty
 * password). Private keys are never decoded. Damage is reported as a problem naming `name` and the byte offset.
 */
export function parseCertificateSource(bytes: Uint8Array, name: string, password: string | null = null): ParsedSource {
  const problem = (kind: SourceProblem['kind'], message: string, offset?: number): SourceProblem => ({ source: name, kind, message, offset });
  if (bytes.length === 0) return { certificates: [], problems: [problem('empty', 'the file is empty')], format: 'unknown', skipped: 0 };
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  if (text.includes('-----BEGIN ')) return parsePem(text, problem);
  if (bytes[0] !== 0x30) {
    return { certificates: [], problems: [problem('bad_der', 'neither PEM nor DER (a DER file starts with byte 0x30)', 0)], format: 'unknown', skipped: 0 };
  }
  const kind = sniffDer(bytes);
  if (kind === 'pkcs12') {
    try {
      const certs = readPkcs12(bytes, password).map((c) => ({ ...c, offset: 0, encoding: 'pkcs12' as const }));
      const problems = certs.length ? [] : [problem('empty', 'the PKCS#12 file holds no certificate')];
      return { certificates: certs, problems, format: 'pkcs12', skipped: 0 };
    } catch (err) {
      const e = err as Pkcs12Error;
      return { certificates: [], problems: [problem(e.kind ?? 'bad_pkcs12', e.message)], format: 'pkcs12', skipped: 0 };
    }
  }
  if (kind === 'pkcs7') return { ...readPkcs7(bytes, 0, problem), format: 'pkcs7', skipped: 0 };
  return { ...readDerSequence(bytes, problem), format: 'der', skipped: 0 };
}

type MakeProblem = (kind: SourceProblem['kind'], message: string, offset?: number) => SourceProblem;

/**
 * PFX starts SEQUENCE { INTEGER 3, ... }; PKCS#7 starts SEQUENCE { OID signedData, ... }; else a certificate.
 * Only the headers are read, so a truncated container is still recognised (and reported as what it is).
 */
function sniffDer(bytes: Uint8Array): 'pkcs12' | 'pkcs7' | 'certificate' {
  const lenByte = bytes[1] ?? 0;
  const p = 2 + (lenByte > 0x80 ? lenByte & 0x7f : 0); // 0x80 (BER indefinite) has no length bytes
  if (bytes[p] === 0x02 && bytes[p + 1] === 0x01 && bytes[p + 2] === 0x03) return 'pkcs12';
  if (bytes[p] === 0x06) {
    const len = bytes[p + 1] ?? 0;
    if (oidFromContent(bytes.subarray(p + 2, p + 2 + len)) === PKCS7_SIGNED_DATA) return 'pkcs7';
  }
  return 'certificate';
}

/** One or more DER certificates back to back. */
function readDerSequence(bytes: Uint8Array, problem: MakeProblem): Pick<ParsedSource, 'certificates' | 'problems'> {
  const certificates: CertificateInput[] = [];
  let p = 0;
  while (p < bytes.length) {
    try {
      const t = readTlv(bytes, p);
      certificates.push({ der: bytes.subarray(p, t.end), offset: p, encoding: 'der' });
      p = t.end;
    } catch (err) {
      const broken = findDerError(bytes.subarray(p));
      const at = p + (broken?.offset ?? 0);
      return { certificates, problems: [problem('bad_der', `DER data broken: ${broken?.message ?? (err as Error).message}`, at)] };
    }
  }
  return { certificates, problems: [] };
}

function parsePem(text: string, problem: MakeProblem): ParsedSource {
  const out: ParsedSource = { certificates: [], problems: [], format: 'pem', skipped: 0 };
  const begin = /-----BEGIN ([A-Z0-9 ]+)-----/g;
  let m: RegExpExecArray | null;
  while ((m = begin.exec(text))) {
    const type = m[1]!;
    const start = m.index;
    const endMarker = `-----END ${type}-----`;
    const end = text.indexOf(endMarker, begin.lastIndex);
    if (end < 0) {
      out.problems.push(problem('bad_pem', `PEM block "${type}" has no END line`, start));
      break;
    }
    const bodyStart = begin.lastIndex;
    begin.lastIndex = end + endMarker.length;
    const isCert = CERT_BLOCKS.has(type);
    if (!isCert && type !== 'PKCS7') {
      out.skipped++;
      continue;
    }
    const body = text.slice(bodyStart, end);
    const badChar = /[^A-Za-z0-9+/=\s]/.exec(body);
    if (badChar) {
      out.problems.push(problem('bad_pem', `invalid base64 character ${JSON.stringify(badChar[0])} in PEM block "${type}"`, bodyStart + badChar.index));
      continue;
    }
    const der = new Uint8Array(Buffer.from(body.replace(/\s+/g, ''), 'base64'));
    if (der.length === 0) {
      out.problems.push(problem('bad_pem', `PEM block "${type}" is empty`, start));
      continue;
    }
    if (type === 'PKCS7') {
      const r = readPkcs7(der, start, problem);
      out.certificates.push(...r.certificates);
      out.problems.push(...r.problems);
      continue;
    }
    // OpenSSL's TRUSTED CERTIFICATE appends trust settings after the certificate: keep the certificate only.
    let certDer = der;
    if (type === 'TRUSTED CERTIFICATE') {
      try {
        certDer = der.subarray(0, readTlv(der, 0).end);
      } catch {
        // leave it whole; the parser names the damage
      }
    }
    out.certificates.push({ der: certDer, offset: start, encoding: 'pem' });
  }
  if (out.certificates.length === 0 && out.problems.length === 0) {
    out.problems.push(problem('empty', out.skipped ? `no certificate among ${out.skipped} PEM block(s) (keys and CRLs are skipped)` : 'no certificate in the file', 0));
  }
  return out;
}

/** The certificates of a PKCS#7 SignedData (a .p7b chain); asn1js copes with the BER that Windows writes. */
function readPkcs7(der: Uint8Array, offset: number, problem: MakeProblem): Pick<ParsedSource, 'certificates' | 'problems'> {
  try {
    const r = asn1js.fromBER(der);
    if (r.offset === -1) throw new Error(r.result.error || 'not ASN.1');
    const ci = (r.result as asn1js.Sequence).valueBlock.value;
    const signedData = (ci[1] as asn1js.Constructed | undefined)?.valueBlock.value[0] as asn1js.Sequence | undefined;
    const fields = signedData?.valueBlock.value ?? [];
    const certSet = fields.find((f) => f.idBlock.tagClass === 3 && f.idBlock.tagNumber === 0) as asn1js.Constructed | undefined;
    const certificates = (certSet?.valueBlock.value ?? []).map((c) => ({
      der: new Uint8Array(c.valueBeforeDecodeView),
      offset,
      encoding: 'pkcs7' as const,
    }));
    return { certificates, problems: certificates.length ? [] : [problem('empty', 'the PKCS#7 bundle holds no certificate', offset)] };
  } catch (err) {
    return { certificates: [], problems: [problem('bad_der', `PKCS#7 bundle unreadable: ${(err as Error).message}`, offset)] };
  }
}
