import type { Severity } from '../core/severity.js';
import type { Sm2Id } from './signature.js';

/** One certificate handed to the engine by a source (file, token object, TLS chain). */
export interface CertificateInput {
  der: Uint8Array;
  /** A human name: the token object's CKA_LABEL, a PKCS#12 friendlyName, "chain[1]". */
  label?: string;
  /** Pairs signing and encryption certificates: the token's CKA_ID (hex), a PKCS#12 localKeyId. */
  id?: string;
  /** Where in the source the certificate starts, for messages (a PEM block's byte offset). */
  offset?: number;
  /** How it was stored: a DER offset inside it maps to a file offset only for 'der'. */
  encoding?: 'pem' | 'der' | 'pkcs7' | 'pkcs12';
}

/** Input that could not be read at all; it becomes an `unparsable` report naming the source and offset. */
export interface SourceProblem {
  source: string;
  /** Closed list: what kind of damage. */
  kind: 'bad_pem' | 'bad_der' | 'bad_pkcs12' | 'bad_password' | 'unsupported_pkcs12' | 'empty' | 'read_failed';
  message: string;
  /** Byte offset in the source where the damage starts, when known. */
  offset?: number;
}

export interface InspectInput {
  /** What the certificates came from: a file path, "token:<label>", "tls:host:port". Part of every result's subject. */
  source: string;
  certificates: CertificateInput[];
  /** Parse problems of the source itself (see parseCertificateSource); reported as CERT_UNPARSABLE. */
  problems?: SourceProblem[];
  /** Other certificates the caller knows (e.g. the rest of a check's files): used to build chains, not reported. */
  related?: Uint8Array[];
}

export interface InspectContext {
  now: Date;
  /** Default directory for the CRL/OCSP cache when the policy names none. */
  cacheDir?: string;
  signal?: AbortSignal;
}

export const VERDICTS = ['valid', 'self-signed', 'invalid'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** Why a certificate is invalid: a closed list. */
export const INVALID_REASONS = ['unparsable', 'revoked', 'expired', 'not_yet_valid', 'chain_invalid', 'unsupported_algorithm'] as const;
export type InvalidReason = (typeof INVALID_REASONS)[number];

/** Why a chain did not verify: a closed list. */
export const CHAIN_ERRORS = [
  'issuer_not_found',
  'bad_signature',
  'untrusted_root',
  'issuer_expired',
  'issuer_not_yet_valid',
  'issuer_not_ca',
  'unsupported_algorithm',
  'path_too_long',
] as const;
export type ChainError = (typeof CHAIN_ERRORS)[number];

export interface ChainLink {
  subject: string;
  sha256: string;
  notAfter: string;
  daysLeft: number;
  /** A configured trust anchor (the end of a verified path). */
  anchor: boolean;
}

export interface ChainReport {
  /** verified: a path to a configured anchor with every signature checked; not_checked: no anchors configured. */
  status: 'verified' | 'failed' | 'not_checked';
  error?: ChainError;
  /** Words for the error: which issuer, which algorithm. */
  errorDetail?: string;
  /** The issuers above the certificate on the verified (or best attempted) path, nearest first, anchor last. */
  path: ChainLink[];
  /** Earliest expiry among the issuers on the verified path only; the certificate's own expiry is reported apart. */
  notAfter?: string;
  daysLeft?: number;
  /** The issuer that expires first. */
  expiringSubject?: string;
  /** The SM2 distinguishing ID this certificate's own signature verified with. */
  sm2Id?: Sm2Id;
}

export interface RevocationReport {
  status: 'good' | 'revoked' | 'unknown' | 'not_checked';
  method?: 'crl' | 'ocsp';
  /** The CRL file/URL or OCSP responder that answered. */
  source?: string;
  revokedAt?: string;
  /** CRL/OCSP reason code name, e.g. keyCompromise. */
  revocationReason?: string;
}

/** The health of one CRL or OCSP responder used for this certificate. Faults of their own, never "revoked". */
export interface RevocationSourceReport {
  kind: 'crl' | 'ocsp';
  /** File path or URL. */
  location: string;
  /** A CRL is 'stale' only once its nextUpdate has passed; 'expiring' is the warning before (see crlFreshness). */
  status: 'ok' | 'expiring' | 'stale' | 'unavailable' | 'invalid';
  thisUpdate?: string;
  nextUpdate?: string;
  /** Days until nextUpdate, to a tenth, cut toward zero (negative once passed). */
  daysToNextUpdate?: number;
  /** The answer came from the disk cache (the endpoint may be unreachable). */
  fromCache: boolean;
  error?: string;
}

export const CERT_ROLES = ['signing', 'encryption', 'signing+encryption', 'ca', 'unknown'] as const;
export type CertificateRole = (typeof CERT_ROLES)[number];

export interface Finding {
  /** A CERT_REASONS code. */
  reason: string;
  severity: Severity;
}

export interface CertificateReport {
  source: string;
  label?: string;
  id?: string;
  /** Position in the input (0-based). */
  index: number;
  offset?: number;
  sha256?: string;
  subject?: string;
  issuer?: string;
  commonName?: string;
  serial?: string;
  notBefore?: string;
  notAfter?: string;
  /** Days until notAfter, one decimal, negative once expired. */
  daysLeft?: number;
  keyAlgorithm?: string;
  keyBits?: number;
  curve?: string;
  signatureAlgorithm?: string;
  keyUsage: string[];
  extendedKeyUsage: string[];
  kind?: 'leaf' | 'intermediate' | 'root';
  role: CertificateRole;
  /** sha256 of the certificate this one pairs with (signing ↔ encryption on the same id / subject). */
  pairedWith?: string;
  verdict: Verdict;
  invalidReason?: InvalidReason;
  chain: ChainReport;
  revocation: RevocationReport;
  revocationSources: RevocationSourceReport[];
  /** e.g. 'sha1_signature', 'rsa_1024'. */
  weaknesses: string[];
  /** Every problem found, worst first; the first one is the result's reason. */
  findings: Finding[];
  /** Set for unparsable input. */
  error?: { kind: SourceProblem['kind'] | 'bad_certificate'; message: string; offset?: number };
}
