import { Type, type Static } from '../core/schema/type.js';

const strict = { additionalProperties: false } as const;

export const WEAK_HASHES = ['md2', 'md4', 'md5', 'sha1'] as const;

/** Defaults, also used by callers that build a policy in code without running the config validator. */
export const POLICY_DEFAULTS = {
  expiry: { minorDays: 90, majorDays: 30, criticalDays: 7 },
  anchors: [] as string[],
  systemAnchors: false,
  intermediates: [] as string[],
  leafOnly: false,
  excludeRoot: false,
  weak: { minRsaBits: 2048, hashes: ['md2', 'md4', 'md5', 'sha1'] as (typeof WEAK_HASHES)[number][], checkRootSignature: false },
  revocation: {
    crl: { files: [] as string[], urls: [] as string[], fromCertificate: false, cacheDir: '', refreshHours: 24, staleWarnPercent: 50, staleWarnDays: 0, timeoutSeconds: 15, maxBytes: 64 * 1024 * 1024 },
    ocsp: { enabled: false, url: '', timeoutSeconds: 5, cacheHours: 4, nonce: true },
  },
};

const days = (def: number, description: string) => Type.Integer({ minimum: 0, maximum: 3650, default: def, description });

export const ExpiryPolicySchema = Type.Object(
  {
    minorDays: Type.Optional(days(POLICY_DEFAULTS.expiry.minorDays, 'CERT_EXPIRING minor at or below this many days left (90: the CAs\' renewal window)')),
    majorDays: Type.Optional(days(POLICY_DEFAULTS.expiry.majorDays, 'CERT_EXPIRING major at or below this many days left')),
    criticalDays: Type.Optional(days(POLICY_DEFAULTS.expiry.criticalDays, 'CERT_EXPIRING critical at or below this many days left')),
  },
  { ...strict, default: {}, description: 'when CERT_EXPIRING opens and how its severity follows the days left' },
);

export const WeakPolicySchema = Type.Object(
  {
    minRsaBits: Type.Optional(
      Type.Integer({ minimum: 512, maximum: 16384, default: POLICY_DEFAULTS.weak.minRsaBits, description: 'CERT_WEAK for RSA and DSA keys shorter than this' }),
    ),
    hashes: Type.Optional(
      Type.Array(Type.Union([Type.Literal('md2'), Type.Literal('md4'), Type.Literal('md5'), Type.Literal('sha1')]), {
        default: POLICY_DEFAULTS.weak.hashes,
        description: 'signature hashes that count as weak (CERT_WEAK)',
      }),
    ),
    checkRootSignature: Type.Optional(
      Type.Boolean({
        default: POLICY_DEFAULTS.weak.checkRootSignature,
        description: 'also flag a weak hash in a self-signed root\'s own signature (nothing relies on it, so off by default)',
      }),
    ),
  },
  { ...strict, default: {}, description: 'weak-algorithm rules (CERT_WEAK)' },
);

export const CrlPolicySchema = Type.Object(
  {
    files: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'CRL files (DER or PEM) to check certificates against' })),
    urls: Type.Optional(
      Type.Array(Type.String({ pattern: '^https?://' }), { default: [], description: 'CRL URLs (http/https), downloaded and cached on disk' }),
    ),
    fromCertificate: Type.Optional(
      Type.Boolean({
        default: POLICY_DEFAULTS.revocation.crl.fromCertificate,
        description: 'also download the CRL distribution points named in the certificates (off: the insurance network usually cannot reach the CAs)',
      }),
    ),
    cacheDir: Type.Optional(
      Type.String({ default: '', description: 'where downloaded CRLs and OCSP answers are kept; empty: the agent\'s state directory' }),
    ),
    refreshHours: Type.Optional(
      Type.Number({ minimum: 0.1, maximum: 720, default: POLICY_DEFAULTS.revocation.crl.refreshHours, description: 'download a cached CRL again after this long (and always before its nextUpdate)' }),
    ),
    staleWarnPercent: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 100,
        default: POLICY_DEFAULTS.revocation.crl.staleWarnPercent,
        description:
          'CRL_STALE minor for a downloaded CRL whose refresh failed once less than this percent of its validity (thisUpdate to nextUpdate) is left; 0: off. A CRL refreshed on time stays quiet; major once nextUpdate has passed',
      }),
    ),
    staleWarnDays: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 60,
        default: POLICY_DEFAULTS.revocation.crl.staleWarnDays,
        description: 'also CRL_STALE minor this many days before any CRL\'s nextUpdate, refreshed or not (0: off; a weekly CRL with 7 would warn all the time)',
      }),
    ),
    timeoutSeconds: Type.Optional(
      Type.Number({ minimum: 0.1, maximum: 120, default: POLICY_DEFAULTS.revocation.crl.timeoutSeconds, description: 'download timeout per CRL' }),
    ),
    maxBytes: Type.Optional(
      Type.Integer({ minimum: 1024, maximum: 1_073_741_824, default: POLICY_DEFAULTS.revocation.crl.maxBytes, description: 'a larger CRL download is refused' }),
    ),
  },
  { ...strict, default: {}, description: 'certificate revocation lists' },
);

export const OcspPolicySchema = Type.Object(
  {
    enabled: Type.Optional(
      Type.Boolean({ default: false, description: 'ask the CA\'s OCSP responder (opt-in: it tells the CA which certificate is checked, and from where)' }),
    ),
    url: Type.Optional(Type.String({ default: '', description: 'responder URL to use instead of the one in the certificate; empty: the certificate\'s' })),
    timeoutSeconds: Type.Optional(
      Type.Number({ minimum: 0.1, maximum: 60, default: POLICY_DEFAULTS.revocation.ocsp.timeoutSeconds, description: 'timeout per OCSP query' }),
    ),
    cacheHours: Type.Optional(
      Type.Number({ minimum: 0, maximum: 168, default: POLICY_DEFAULTS.revocation.ocsp.cacheHours, description: 'reuse an answer this long (never past its nextUpdate)' }),
    ),
    nonce: Type.Optional(Type.Boolean({ default: true, description: 'send a nonce and require it back (turn off for responders that only serve pre-signed answers)' })),
  },
  { ...strict, default: {}, description: 'OCSP, off unless enabled' },
);

export const RevocationPolicySchema = Type.Object(
  {
    crl: Type.Optional(CrlPolicySchema),
    ocsp: Type.Optional(OcspPolicySchema),
  },
  { ...strict, default: {}, description: 'revocation checking; its problems are faults of their own (CRL_STALE, REVOCATION_UNAVAILABLE)' },
);

/** The certificate settings every check that sees certificates embeds in its own schema. */
export const CertificatePolicySchema = Type.Object(
  {
    expiry: Type.Optional(ExpiryPolicySchema),
    anchors: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        default: [],
        description: 'trust anchors: PEM/DER files or bundles of the root certificates chains must lead to; chains are verified only when anchors are given',
      }),
    ),
    systemAnchors: Type.Optional(
      Type.Boolean({ default: false, description: 'also trust the Mozilla roots built into Node (public web CAs; Chinese SM2 roots are not among them)' }),
    ),
    intermediates: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'PEM/DER files or bundles of intermediate CA certificates used to build chains' }),
    ),
    leafOnly: Type.Optional(Type.Boolean({ default: false, description: 'report only end-entity certificates, not the CA certificates found with them' })),
    excludeRoot: Type.Optional(Type.Boolean({ default: false, description: 'do not report self-signed root certificates found with the others' })),
    weak: Type.Optional(WeakPolicySchema),
    revocation: Type.Optional(RevocationPolicySchema),
  },
  { ...strict, default: {}, description: 'certificate health rules: expiry thresholds, trust anchors, revocation, weak algorithms' },
);

export type CertificatePolicy = Static<typeof CertificatePolicySchema>;
export type ResolvedCertificatePolicy = typeof POLICY_DEFAULTS;

/** Fills every default, whether or not the config validator already did. */
export function resolveCertificatePolicy(p: CertificatePolicy | undefined): ResolvedCertificatePolicy {
  const d = POLICY_DEFAULTS;
  const r = p ?? {};
  return {
    expiry: { ...d.expiry, ...r.expiry },
    anchors: r.anchors ?? d.anchors,
    systemAnchors: r.systemAnchors ?? d.systemAnchors,
    intermediates: r.intermediates ?? d.intermediates,
    leafOnly: r.leafOnly ?? d.leafOnly,
    excludeRoot: r.excludeRoot ?? d.excludeRoot,
    weak: { ...d.weak, ...r.weak },
    revocation: { crl: { ...d.revocation.crl, ...r.revocation?.crl }, ocsp: { ...d.revocation.ocsp, ...r.revocation?.ocsp } },
  };
}
