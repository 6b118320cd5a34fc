/**
 * A minimal DER reader: just enough to cut signed objects (certificates, CRLs, OCSP responses) into the bytes that
 * were signed, the algorithm and the signature, and to say at which byte offset broken input stops making sense.
 * Field-level parsing is left to @peculiar/x509 and pkijs; this module never interprets names or extensions.
 */

export interface Tlv {
  tag: number;
  constructed: boolean;
  /** Offset of the tag byte within the buffer. */
  start: number;
  /** Offset of the first content byte. */
  contentStart: number;
  /** Offset just after the content. */
  end: number;
}

export class DerError extends Error {
  constructor(
    message: string,
    /** Byte offset where the problem was found, relative to the buffer handed in. */
    readonly offset: number,
  ) {
    super(`${message} at byte ${offset}`);
    this.name = 'DerError';
  }
}

/** Reads one tag-length-value at `offset`. Only definite lengths (DER); high tag numbers are refused. */
export function readTlv(buf: Uint8Array, offset: number, limit = buf.length): Tlv {
  if (offset >= limit) throw new DerError('unexpected end of data', offset);
  const first = buf[offset]!;
  if ((first & 0x1f) === 0x1f) throw new DerError('high tag numbers are not used in certificates', offset);
  if (offset + 1 >= limit) throw new DerError('missing length', offset + 1);
  let len = buf[offset + 1]!;
  let p = offset + 2;
  if (len === 0x80) throw new DerError('indefinite length is not DER', offset + 1);
  if (len > 0x80) {
    const n = len & 0x7f;
    if (n > 4) throw new DerError(`length of ${n} bytes is too large`, offset + 1);
    if (p + n > limit) throw new DerError('truncated length', offset + 1);
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p + i]!;
    p += n;
  }
  if (p + len > limit) throw new DerError(`value of ${len} bytes runs past the end (${limit - p} left)`, offset);
  return { tag: first, constructed: (first & 0x20) !== 0, start: offset, contentStart: p, end: p + len };
}

/** The TLVs directly inside a constructed TLV. */
export function childrenOf(buf: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let p = parent.contentStart;
  while (p < parent.end) {
    const t = readTlv(buf, p, parent.end);
    out.push(t);
    p = t.end;
  }
  return out;
}

export const bytesOf = (buf: Uint8Array, t: Tlv): Uint8Array => buf.subarray(t.start, t.end);
export const contentOf = (buf: Uint8Array, t: Tlv): Uint8Array => buf.subarray(t.contentStart, t.end);

/** Dotted form of an OBJECT IDENTIFIER's content bytes. */
export function oidFromContent(c: Uint8Array): string {
  const parts: number[] = [];
  let v = 0;
  for (const b of c) {
    v = v * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      parts.push(v);
      v = 0;
    }
  }
  const first = parts.shift() ?? 0;
  const a = first < 80 ? Math.floor(first / 40) : 2;
  return [a, first - a * 40, ...parts].join('.');
}

export interface SignedParts {
  /** The signed bytes (tbsCertificate, tbsCertList, tbsResponseData), tag and length included. */
  tbs: Uint8Array;
  signatureOid: string;
  /** DER of the AlgorithmIdentifier's parameters, if any (RSASSA-PSS needs them). */
  signatureParams?: Uint8Array;
  /** The BIT STRING's bits (unused-bits byte dropped). */
  signature: Uint8Array;
}

/** SEQUENCE { tbs, AlgorithmIdentifier, BIT STRING }: the shape of every X.509 signed object. */
export function splitSigned(der: Uint8Array): SignedParts {
  const outer = readTlv(der, 0);
  if (outer.tag !== 0x30) throw new DerError('expected a SEQUENCE', 0);
  if (outer.end !== der.length) throw new DerError(`${der.length - outer.end} trailing bytes after the object`, outer.end);
  const [tbs, alg, sig] = childrenOf(der, outer);
  if (!tbs || !alg || !sig) throw new DerError('a signed object needs three parts', outer.contentStart);
  if (tbs.tag !== 0x30) throw new DerError('expected the signed SEQUENCE', tbs.start);
  if (alg.tag !== 0x30) throw new DerError('expected an AlgorithmIdentifier', alg.start);
  if (sig.tag !== 0x03) throw new DerError('expected the signature BIT STRING', sig.start);
  const [oid, params] = childrenOf(der, alg);
  if (!oid || oid.tag !== 0x06) throw new DerError('expected an algorithm OID', alg.contentStart);
  const bits = contentOf(der, sig);
  if (bits.length === 0 || bits[0] !== 0) throw new DerError('signature BIT STRING with unused bits', sig.contentStart);
  return {
    tbs: bytesOf(der, tbs),
    signatureOid: oidFromContent(contentOf(der, oid)),
    signatureParams: params && params.tag !== 0x05 ? bytesOf(der, params) : undefined,
    signature: bits.subarray(1),
  };
}

/**
 * The offset of the first structural error in supposedly-DER data, or undefined when every TLV nests properly.
 * Walks constructed values (and BIT/OCTET STRINGs that look like they hold DER) without interpreting them.
 */
export function findDerError(buf: Uint8Array): { offset: number; message: string } | undefined {
  const walk = (start: number, end: number, depth: number): void => {
    let p = start;
    while (p < end) {
      const t = readTlv(buf, p, end);
      if (t.constructed && depth < 32) walk(t.contentStart, t.end, depth + 1);
      p = t.end;
    }
  };
  try {
    const top = readTlv(buf, 0);
    if (top.constructed) walk(top.contentStart, top.end, 1);
    if (top.end !== buf.length) return { offset: top.end, message: `${buf.length - top.end} trailing bytes after the object` };
    return undefined;
  } catch (err) {
    if (err instanceof DerError) return { offset: err.offset, message: err.message.replace(/ at byte \d+$/, '') };
    throw err;
  }
}

/** Upper-case hex, no separators. */
export const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex').toUpperCase();

/** A serial number's hex without leading zero bytes, for comparing serials written by different tools. */
export const normalSerial = (h: string): string => h.replace(/^(00)+(?=..)/, '').toUpperCase();
