import { Type, type Static } from '../../core/schema/type.js';
import { SECRET_MARK, SecretRef } from '../../core/config/schema.js';
import type { Secret } from '../../core/config/secret.js';
import { CertificatePolicySchema } from '../../certs/index.js';

export const SIGN_TEST_DEFAULTS = { enabled: false, pin: null, keyLabel: '', keyId: '', intervalMinutes: 60 } as const;

export const TOKEN_DEFAULTS = {
  name: '',
  label: '',
  serial: '',
  required: true,
  certificateRecheckMinutes: 60,
  env: [] as never[],
} as const;

/** One variable for the module's environment; the value may be a secret reference, resolved at config load. */
const EnvVariableSchema = Type.Object(
  {
    name: Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$', maxLength: 128, description: 'the variable\'s name, e.g. SOFTHSM2_CONF' }),
    value: Type.Union([Type.String({ maxLength: 4096 }), SecretRef], {
      [SECRET_MARK]: true,
      description: 'its value: text, or for anything secret {"env": NAME} (from the agent\'s environment) or {"file": PATH} (chmod 600)',
    }),
  },
  { additionalProperties: false },
);

const SignTestSchema = Type.Object(
  {
    enabled: Type.Optional(
      Type.Boolean({
        default: SIGN_TEST_DEFAULTS.enabled,
        description:
          'log in with the PIN and sign a random nonce with the private key, verified with its certificate. Meant for HSMs on the certificate server; never turn it on for USBKeys at the tills (six wrong PINs lock a key)',
      }),
    ),
    pin: Type.Optional(
      Type.Union([SecretRef, Type.Null()], {
        [SECRET_MARK]: true,
        default: SIGN_TEST_DEFAULTS.pin,
        description: 'the user PIN as a secret {"env": NAME} or {"file": PATH} (chmod 600); required when enabled',
      }),
    ),
    keyLabel: Type.Optional(
      Type.String({ maxLength: 128, default: SIGN_TEST_DEFAULTS.keyLabel, description: 'CKA_LABEL of the private key to test; empty: by keyId, else the first key with a certificate' }),
    ),
    keyId: Type.Optional(
      Type.String({ pattern: '^([0-9a-fA-F]{2})*$', maxLength: 256, default: SIGN_TEST_DEFAULTS.keyId, description: 'CKA_ID of the private key in hex, e.g. "01"; empty: any' }),
    ),
    intervalMinutes: Type.Optional(
      Type.Number({ minimum: 1, maximum: 1440, default: SIGN_TEST_DEFAULTS.intervalMinutes, description: 'minutes between sign tests; the result is repeated in between' }),
    ),
  },
  { additionalProperties: false },
);

export const TokenEntrySchema = Type.Object(
  {
    module: Type.String({
      minLength: 1,
      description:
        'path of the PKCS#11 module, e.g. /usr/lib/libcastle.so.1.0.0 (Feitian ePass2003), /opt/lm-gm3000/lib/libgm3000_pkcs11.so (Longmai), /usr/lib/x86_64-linux-gnu/opensc-pkcs11.so, /usr/lib/softhsm/libsofthsm2.so; a bare file name (libwdpkcs.so, opensc-pkcs11.so) is looked for where the dynamic loader looks, then in the PKCS#11 module directories',
    }),
    name: Type.Optional(
      Type.String({
        maxLength: 64,
        default: TOKEN_DEFAULTS.name,
        description: 'name shown as the subject of the results; empty: the configured label, else the configured serial, else the module\'s file name (never what the token itself reports). Names must be unique',
      }),
    ),
    label: Type.Optional(Type.String({ maxLength: 32, default: TOKEN_DEFAULTS.label, description: 'expected token label (CKA token info label, trailing blanks ignored); empty: any' })),
    serial: Type.Optional(Type.String({ maxLength: 16, default: TOKEN_DEFAULTS.serial, description: 'expected token serial number; empty: any' })),
    required: Type.Optional(
      Type.Boolean({ default: TOKEN_DEFAULTS.required, description: 'true: a missing token is a critical TOKEN_NOT_PRESENT; false: its absence is only recorded' }),
    ),
    certificates: Type.Optional(CertificatePolicySchema),
    certificateRecheckMinutes: Type.Optional(
      Type.Number({
        minimum: 1,
        maximum: 1440,
        default: TOKEN_DEFAULTS.certificateRecheckMinutes,
        description: 'the certificates are inspected again when they change on the token, and at least this often',
      }),
    ),
    env: Type.Optional(
      Type.Array(EnvVariableSchema, {
        maxItems: 32,
        default: [],
        description:
          'environment variables the vendor module reads (its config file, a licence path), set in the isolated child before the module loads and around every run; tokens on one module must agree. Without it the module sees only the agent\'s own environment',
      }),
    ),
    signTest: Type.Optional({
      ...SignTestSchema,
      default: { ...SIGN_TEST_DEFAULTS },
      description: 'opt-in login + sign test for HSMs; off by default, and never to be turned on for USBKeys',
    }),
  },
  { additionalProperties: false },
);

export const tokenSchema = Type.Object(
  {
    tokens: Type.Array(TokenEntrySchema, {
      minItems: 1,
      maxItems: 16,
      description: 'the tokens to watch; give each vendor module its own check so a hung module names itself',
    }),
  },
  { additionalProperties: false },
);

export type TokenEntry = Static<typeof TokenEntrySchema>;
export type TokenConfig = Static<typeof tokenSchema>;

/** The sign-test settings after loading: the PIN reference has become a Secret. */
export interface SignTestSettings {
  enabled: boolean;
  pin: Secret | null;
  keyLabel: string;
  keyId: string;
  intervalMinutes: number;
}
