import { createHash } from 'node:crypto';
import type { ParsedCertificate } from './parse-certificate.js';
import { verifySignature, type Sm2Id } from './signature.js';
import type { ChainError } from './types.js';

/** Certificates a path may use: trusted anchors, and untrusted intermediates (from the source or a bundle). */
export interface PathStore {
  anchors: ParsedCertificate[];
  pool: ParsedCertificate[];
}

export interface PathResult {
  status: 'verified' | 'failed' | 'not_checked';
  error?: ChainError;
  errorDetail?: string;
  /** Issuers, nearest first; ends with the anchor when verified. */
  path: ParsedCertificate[];
  /** The certificate's direct issuer, when one was found whose key verifies its signature (CRL/OCSP need it). */
  issuer?: ParsedCertificate;
  sm2Id?: Sm2Id;
  /** Self-issued and its own signature verifies. */
  selfSigned: boolean;
}

const MAX_DEPTH = 8;
const spkiIds = new WeakMap<ParsedCertificate, string>();

/** An anchor is a name and a key (RFC 5280 §6.1.1), so a re-issued root with the same key still matches. */
function nameAndKey(c: ParsedCertificate): string {
  let id = spkiIds.get(c);
  if (!id) {
    id = `${c.subject}\u0000${createHash('sha256').update(c.key.spki).digest('base64')}`;
    spkiIds.set(c, id);
  }
  return id;
}

interface Failure {
  error: ChainError;
  detail: string;
  path: ParsedCertificate[];
  score: number;
}

/**
 * Builds and verifies a path from `cert` to a trust anchor, depth first, trying every issuer candidate with a
 * matching name (and key id): anchors first, then issuers valid now, then the latest expiring. So a cross-signed
 * or re-issued CA whose older copy has expired does not make a good path look broken. Every signature on the path
 * is verified, SM2 included. Without anchors the path is still followed (to find the issuer for revocation), but
 * the result is 'not_checked'.
 */
export function buildPath(cert: ParsedCertificate, store: PathStore, now: Date): PathResult {
  const anchorIds = new Set(store.anchors.map(nameAndKey));
  const anchorsConfigured = store.anchors.length > 0;
  const isAnchor = (c: ParsedCertificate) => anchorIds.has(nameAndKey(c));
  const all = dedupe([...store.anchors, ...store.pool]);

  let selfSigned = false;
  let selfSm2: Sm2Id | undefined;
  if (cert.selfIssued) {
    const self = verifySignature(cert.signed, cert.key);
    selfSigned = self.ok;
    if (self.ok) selfSm2 = self.sm2Id;
  }
  if (isAnchor(cert)) return { status: 'verified', path: [], selfSigned, sm2Id: selfSm2 };

  let issuer: ParsedCertificate | undefined;
  let sm2Id: Sm2Id | undefined;
  let best: Failure | undefined;
  const fail = (f: Failure) => {
    if (!best || f.score > best.score) best = f;
  };

  const search = (cur: ParsedCertificate, path: ParsedCertificate[]): ParsedCertificate[] | null => {
    const depth = path.length;
    if (depth >= MAX_DEPTH) {
      fail({ error: 'path_too_long', detail: `more than ${MAX_DEPTH} issuers`, path, score: depth * 10 + 5 });
      return null;
    }
    const candidates = all
      .filter((c) => c.subject === cur.issuer && c.sha256 !== cur.sha256 && c.sha256 !== cert.sha256 && !path.some((p) => p.sha256 === c.sha256))
      .filter((c) => !(cur.authorityKeyId && c.subjectKeyId && cur.authorityKeyId !== c.subjectKeyId))
      .sort((a, b) => rank(b, now, isAnchor) - rank(a, now, isAnchor));
    if (candidates.length === 0) {
      if (cur.selfIssued && (cur.sha256 === cert.sha256 ? selfSigned : true)) {
        fail({ error: 'untrusted_root', detail: `${cur.subject} is not a configured trust anchor`, path, score: depth * 10 + 1 });
      } else {
        fail({ error: 'issuer_not_found', detail: `no certificate for issuer ${cur.issuer}`, path, score: depth * 10 });
      }
      return null;
    }
    for (const cand of candidates) {
      const sig = verifySignature(cur.signed, cand.key);
      const here = [...path, cand];
      if (!sig.ok) {
        const unsupported = 'unsupported' in sig && sig.unsupported;
        fail({
          error: unsupported ? 'unsupported_algorithm' : 'bad_signature',
          detail: unsupported ? `cannot verify ${unsupported}` : `signature of ${cur.subject} does not verify with the key of ${cand.subject}`,
          path: here,
          score: depth * 10 + 6,
        });
        continue;
      }
      if (depth === 0) {
        issuer ??= cand;
        sm2Id ??= sig.sm2Id;
      }
      const anchor = isAnchor(cand);
      const problem = issuerProblem(cand, anchor, now);
      if (problem) {
        fail({ ...problem, path: here, score: depth * 10 + 8 });
        continue;
      }
      if (anchor) return here;
      const found = search(cand, here);
      if (found) return found;
    }
    return null;
  };

  const path = search(cert, []);
  if (path) {
    // The direct issuer is the one on the verified path, which may differ from the first candidate tried.
    return { status: anchorsConfigured ? 'verified' : 'not_checked', path, issuer: path[0], sm2Id: sm2IdOf(cert, path[0]!) ?? sm2Id, selfSigned };
  }
  const f = best!;
  if (!anchorsConfigured) return { status: 'not_checked', path: f.path, issuer, sm2Id: sm2Id ?? selfSm2, selfSigned };
  return { status: 'failed', error: f.error, errorDetail: f.detail, path: f.path, issuer, sm2Id: sm2Id ?? selfSm2, selfSigned };
}

function sm2IdOf(cert: ParsedCertificate, issuer: ParsedCertificate): Sm2Id | undefined {
  const sig = verifySignature(cert.signed, issuer.key); // memoized: no second computation
  return sig.ok ? sig.sm2Id : undefined;
}

/** A CA on a path must be a CA, allowed to sign certificates, and valid now (anchors need not carry CA flags). */
function issuerProblem(c: ParsedCertificate, anchor: boolean, now: Date): { error: ChainError; detail: string } | null {
  if (!anchor && (!c.isCA || (c.hasKeyUsage && !c.keyUsage.includes('keyCertSign')))) {
    return { error: 'issuer_not_ca', detail: `${c.subject} is not allowed to issue certificates (basicConstraints/keyUsage)` };
  }
  if (now > c.notAfter) return { error: 'issuer_expired', detail: `issuer ${c.subject} expired on ${c.notAfter.toISOString()}` };
  if (now < c.notBefore) return { error: 'issuer_not_yet_valid', detail: `issuer ${c.subject} is valid only from ${c.notBefore.toISOString()}` };
  return null;
}

/** Preference among same-named issuers: anchors, then valid now, then the latest expiry. */
function rank(c: ParsedCertificate, now: Date, isAnchor: (c: ParsedCertificate) => boolean): number {
  const valid = now >= c.notBefore && now <= c.notAfter;
  return (isAnchor(c) ? 4e15 : 0) + (valid ? 2e15 : 0) + c.notAfter.getTime() / 1000;
}

function dedupe(list: ParsedCertificate[]): ParsedCertificate[] {
  const seen = new Set<string>();
  return list.filter((c) => (seen.has(c.sha256) ? false : (seen.add(c.sha256), true)));
}
