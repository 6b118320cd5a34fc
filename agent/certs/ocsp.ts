import { createHash, randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { bytesOf, childrenOf, contentOf, hex, normalSerial, readTlv, splitSigned } from './der.js';
import { fetchBytes, responseCache } from './fetch-cache.js';
import { OID } from './oids.js';
import { parseCertificate, type ParsedCertificate } from './parse-certificate.js';
import type { ResolvedCertificatePolicy } from './policy.js';
import { verifySignature } from './signature.js';
import type { RevocationReport, RevocationSourceReport } from './types.js';

const HOUR = 3_600_000;
/** Clock slack between us and the responder. */
const SKEW_MS = 5 * 60_000;
const REASONS = ['unspecified', 'keyCompromise', 'cACompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'certificateHold', '', 'removeFromCRL', 'privilegeWithdrawn', 'aACompromise'];

export interface OcspOptions {
  policy: ResolvedCertificatePolicy['revocation']['ocsp'];
  cacheDir?: string;
  now: Date;
  signal?: AbortSignal;
}

export interface OcspOutcome {
  source: RevocationSourceReport;
  /** Absent when the responder gave no usable answer. */
  revocation?: RevocationReport;
}

/** tbsCertificate's serial content and the DER of its subject Name. */
function tbsParts(der: Uint8Array): { serial: Uint8Array; subject: Uint8Array } {
  const tbs = childrenOf(der, readTlv(der, 0))[0]!;
  const f = childrenOf(der, tbs);
  const i = f[0]!.tag === 0xa0 ? 1 : 0;
  return { serial: contentOf(der, f[i]!), subject: bytesOf(der, f[i + 4]!) };
}

/** The CertID for (cert, issuer), SHA-1 hashed as every responder understands. */
function certId(cert: ParsedCertificate, issuer: ParsedCertificate): { id: pkijs.CertID; nameHash: string; keyHash: string; serial: string } {
  const nameHash = createHash('sha1').update(tbsParts(issuer.der).subject).digest();
  const keyHash = createHash('sha1').update(issuer.key.keyBits).digest();
  const serial = tbsParts(cert.der).serial;
  const id = new pkijs.CertID({
    hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha1, algorithmParams: new asn1js.Null() }),
    issuerNameHash: new asn1js.OctetString({ valueHex: nameHash }),
    issuerKeyHash: new asn1js.OctetString({ valueHex: keyHash }),
    serialNumber: new asn1js.Integer({ valueHex: serial }),
  });
  return { id, nameHash: hex(nameHash), keyHash: hex(keyHash), serial: normalSerial(hex(serial)) };
}

/**
 * Asks an OCSP responder about one certificate (opt-in: it tells the CA which certificate is checked, from where).
 * The answer's signature is verified by Guardpost itself (by the issuer, or by a responder certificate the issuer
 * signed for OCSPSigning; SM2 included, which pkijs's WebCrypto cannot). Answers are cached on disk for cacheHours
 * and never used past their nextUpdate; when the responder is unreachable a still-valid cached answer is used.
 */
export async function checkOcsp(cert: ParsedCertificate, issuer: ParsedCertificate, url: string, o: OcspOptions): Promise<OcspOutcome> {
  const cache = responseCache(o.cacheDir, 'ocsp');
  const cacheKey = `${url} ${cert.sha256} ${issuer.sha256}`;
  const base = { kind: 'ocsp' as const, location: url };
  const ids = certId(cert, issuer);
  const cached = await cache.get(cacheKey);
  let cachedAnswer: Answer | undefined;
  if (cached) {
    try {
      cachedAnswer = readResponse(cached.bytes, ids, issuer, o.now, undefined);
    } catch {
      cachedAnswer = undefined; // expired or damaged: ask again
    }
    if (cachedAnswer && o.now.getTime() - cached.fetchedAt.getTime() < o.policy.cacheHours * HOUR) {
      return { source: { ...base, status: 'ok', fromCache: true }, revocation: cachedAnswer.revocation(url) };
    }
  }

  const nonce = o.policy.nonce ? randomBytes(16) : undefined;
  const req = new pkijs.OCSPRequest();
  req.tbsRequest.requestList = [new pkijs.Request({ reqCert: ids.id })];
  if (nonce) {
    req.tbsRequest.requestExtensions = [
      new pkijs.Extension({ extnID: OID.ocspNonce, extnValue: new asn1js.OctetString({ valueHex: nonce }).toBER(false) }),
    ];
  }
  let bytes: Uint8Array;
  try {
    bytes = await fetchBytes(url, {
      timeoutMs: o.policy.timeoutSeconds * 1000,
      maxBytes: 1 << 20,
      signal: o.signal,
      post: { body: new Uint8Array(req.toSchema(true).toBER(false)), contentType: 'application/ocsp-request', accept: 'application/ocsp-response' },
    });
  } catch (err) {
    if (o.signal?.aborted) throw err;
    const error = (err as Error).message;
    if (cachedAnswer) return { source: { ...base, status: 'ok', fromCache: true, error }, revocation: cachedAnswer.revocation(url) };
    return { source: { ...base, status: 'unavailable', fromCache: false, error } };
  }
  try {
    const answer = readResponse(bytes, ids, issuer, o.now, nonce);
    await cache.put(cacheKey, bytes, o.now).catch(() => {});
    return { source: { ...base, status: 'ok', fromCache: false }, revocation: answer.revocation(url) };
  } catch (err) {
    return { source: { ...base, status: 'invalid', fromCache: false, error: (err as Error).message } };
  }
}

interface Answer {
  revocation(url: string): RevocationReport;
}

const RESPONSE_STATUS = ['successful', 'malformedRequest', 'internalError', 'tryLater', '', 'sigRequired', 'unauthorized'];

/** Parses and checks an OCSP response: status, signature, signer authority, our CertID, freshness, nonce. */
function readResponse(bytes: Uint8Array, ids: ReturnType<typeof certId>, issuer: ParsedCertificate, now: Date, nonce: Uint8Array | undefined): Answer {
  const resp = pkijs.OCSPResponse.fromBER(bytes);
  const status = resp.responseStatus.valueBlock.valueDec;
  if (status !== 0) throw new Error(`responder answered ${RESPONSE_STATUS[status] || status}`);
  const raw = resp.responseBytes?.response.valueBlock.valueHexView;
  if (!raw) throw new Error('no response bytes');
  const basicDer = new Uint8Array(raw);
  const basic = pkijs.BasicOCSPResponse.fromBER(basicDer);
  const signed = splitSigned(basicDer);
  if (!signerVerifies(signed, basicDer, issuer, now)) throw new Error('response signature does not verify with the issuer or an authorised responder');

  const single = basic.tbsResponseData.responses.find(
    (r) =>
      hex(r.certID.issuerNameHash.valueBlock.valueHexView) === ids.nameHash &&
      hex(r.certID.issuerKeyHash.valueBlock.valueHexView) === ids.keyHash &&
      normalSerial(hex(r.certID.serialNumber.valueBlock.valueHexView)) === ids.serial,
  );
  if (!single) throw new Error('the response is about another certificate');
  if (single.thisUpdate.getTime() > now.getTime() + SKEW_MS) throw new Error(`answer dated in the future (${single.thisUpdate.toISOString()})`);
  if (single.nextUpdate && single.nextUpdate.getTime() < now.getTime() - SKEW_MS) throw new Error(`answer expired at ${single.nextUpdate.toISOString()}`);
  if (nonce) {
    const ext = basic.tbsResponseData.responseExtensions?.find((e) => e.extnID === OID.ocspNonce);
    const got = ext ? new Uint8Array(ext.extnValue.valueBlock.valueHexView) : undefined;
    // The extension value is an OCTET STRING holding the nonce (some responders send the bare bytes).
    const inner = got && got[0] === 0x04 ? got.subarray(2) : got;
    if (!inner || hex(inner) !== hex(nonce)) throw new Error('nonce missing or not echoed (replayed answer?)');
  }
  const tag = (single.certStatus as asn1js.BaseBlock).idBlock.tagNumber;
  return {
    revocation(url) {
      if (tag === 0) return { status: 'good', method: 'ocsp', source: url };
      if (tag === 2) return { status: 'unknown', method: 'ocsp', source: url };
      const inner = ((single.certStatus as asn1js.Constructed).valueBlock?.value ?? []) as asn1js.BaseBlock[];
      const time = inner[0] instanceof asn1js.GeneralizedTime ? inner[0].toDate().toISOString() : undefined;
      const reasonBlock = inner[1] as asn1js.Constructed | undefined;
      const code = (reasonBlock?.valueBlock?.value?.[0] as asn1js.Enumerated | undefined)?.valueBlock.valueDec;
      return { status: 'revoked', method: 'ocsp', source: url, revokedAt: time, revocationReason: code === undefined ? undefined : REASONS[code] || String(code) };
    },
  };
}

/** Signed by the issuer itself, or by a delegated responder certificate the issuer signed with OCSPSigning. */
function signerVerifies(signed: ReturnType<typeof splitSigned>, basicDer: Uint8Array, issuer: ParsedCertificate, now: Date): boolean {
  if (verifySignature(signed, issuer.key).ok) return true;
  const fields = childrenOf(basicDer, readTlv(basicDer, 0));
  const certsField = fields.find((f) => f.tag === 0xa0);
  if (!certsField) return false;
  const list = childrenOf(basicDer, certsField)[0];
  for (const t of list ? childrenOf(basicDer, list) : []) {
    let responder: ParsedCertificate;
    try {
      responder = parseCertificate(bytesOf(basicDer, t));
    } catch {
      continue;
    }
    if (!responder.extendedKeyUsage.includes('OCSPSigning')) continue;
    if (now < responder.notBefore || now > responder.notAfter) continue;
    if (responder.issuer !== issuer.subject || !verifySignature(responder.signed, issuer.key).ok) continue;
    if (verifySignature(signed, responder.key).ok) return true;
  }
  return false;
}
