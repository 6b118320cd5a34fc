import { Type, type Static } from '../../core/schema/type.js';
import { CertificatePolicySchema } from '../../certs/index.js';
import { SECRET_MARK, SecretRef } from '../../core/config/schema.js';

export const CERT_DEFAULTS = {
  pkcs12: [] as { path: string; password: { env: string } | { file: string } | null }[],
  maxFiles: 200,
  maxDepth: 3,
  maxFileBytes: 16 * 1024 * 1024,
} as const;

const Pkcs12Entry = Type.Object(
  {
    path: Type.String({ minLength: 1, description: 'a .p12/.pfx file or a glob of them' }),
    password: Type.Union([SecretRef, Type.Null()], {
      [SECRET_MARK]: true,
      description: 'the container password as a secret {"env": NAME} or {"file": PATH} (chmod 600); null: no password',
    }),
  },
  { additionalProperties: false },
);

export const certSchema = Type.Object(
  {
    files: Type.Array(Type.String({ minLength: 1 }), {
      minItems: 1,
      maxItems: 64,
      description:
        'certificate files or globs: PEM, DER, bundles, PKCS#7 (.pem .crt .cer .der .p7b), e.g. "/etc/gdca/*.pem" or "C:\\\\GDCA\\\\**\\\\*.cer"; a PKCS#12 file here is opened without a password',
    }),
    pkcs12: Type.Optional(
      Type.Array(Pkcs12Entry, {
        maxItems: 64,
        default: [],
        description: 'PKCS#12 (.p12/.pfx) files with their passwords; only the certificates are read, key bags stay sealed',
      }),
    ),
    maxFiles: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 10_000, default: CERT_DEFAULTS.maxFiles, description: 'files read per run at most, so a careless glob cannot stall the agent' }),
    ),
    maxDepth: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 16, default: CERT_DEFAULTS.maxDepth, description: 'how many directory levels a "**" in a glob may descend' }),
    ),
    maxFileBytes: Type.Optional(
      Type.Integer({ minimum: 1024, maximum: 1_073_741_824, default: CERT_DEFAULTS.maxFileBytes, description: 'a larger file is reported unparsable instead of read' }),
    ),
    policy: Type.Optional(CertificatePolicySchema),
  },
  { additionalProperties: false },
);

export type CertConfig = Static<typeof certSchema>;
