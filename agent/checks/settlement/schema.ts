import { Type, type Static } from '../../core/schema/type.js';
import { CertificatePolicySchema } from '../../certs/index.js';
import type { Secret } from '../../core/config/secret.js';
import { EndpointSchema, optionalSecret, ProxySchema, TrustSchema, TRUST_DEFAULTS } from '../shared/endpoint/schema.js';

const strict = { additionalProperties: false } as const;

export const SIGNIN_DEFAULTS = {
  enabled: false,
  url: '',
  infver: 'V1.0',
  opter: '',
  opterName: '',
  mac: '',
  ip: '',
  recerSysCode: '',
  devNo: '',
  signtype: '',
  everyMinutes: 240,
  timeoutSeconds: 15,
  headers: {} as Record<string, string>,
  trust: TRUST_DEFAULTS,
  apiName: '',
  apiVersion: '',
  accessKey: null,
  secretKey: null,
  signNo: null,
};

export const SigninSchema = Type.Object(
  {
    enabled: Type.Optional(
      Type.Boolean({ default: false, description: 'send a real 9001 sign-in (opter_type 2) to the platform; off by default because it is a business transaction' }),
    ),
    url: Type.Optional(Type.String({ default: '', pattern: '^(https?://[^\\s]+)?$', description: 'the URL the 9001 sign-in is POSTed to, as the settlement client uses it' })),
    infver: Type.Optional(Type.String({ default: SIGNIN_DEFAULTS.infver, maxLength: 10, description: 'interface version, envelope field infver' })),
    opter: Type.Optional(Type.String({ default: '', maxLength: 30, description: 'operator (terminal) id, envelope field opter and input opter_no; empty: the site terminalId' })),
    opterName: Type.Optional(Type.String({ default: '', maxLength: 50, description: 'envelope field opter_name; empty: the site terminalId' })),
    mac: Type.Optional(Type.String({ default: '', maxLength: 20, description: 'input field mac; empty: the first non-internal network interface' })),
    ip: Type.Optional(Type.String({ default: '', maxLength: 45, description: 'input field ip; empty: the first non-internal IPv4 address' })),
    recerSysCode: Type.Optional(Type.String({ default: '', maxLength: 10, description: 'envelope field recer_sys_code (receiver system code), if the platform wants one' })),
    devNo: Type.Optional(Type.String({ default: '', maxLength: 100, description: 'envelope field dev_no (device number), if the platform wants one' })),
    signtype: Type.Optional(Type.String({ default: '', maxLength: 10, description: 'envelope field signtype, e.g. "SM2", if the platform wants one' })),
    everyMinutes: Type.Optional(
      Type.Number({ minimum: 5, maximum: 10_080, default: SIGNIN_DEFAULTS.everyMinutes, description: 'sign in at most this often; runs in between repeat the last answer' }),
    ),
    timeoutSeconds: Type.Optional(Type.Number({ minimum: 1, maximum: 120, default: SIGNIN_DEFAULTS.timeoutSeconds, description: 'time allowed for the sign-in request' })),
    headers: Type.Optional(
      Type.Record(Type.String({ pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$" }), Type.String({ maxLength: 4096 }), {
        ...strict,
        default: {},
        description: 'extra request headers (not secrets: use accessKey/secretKey for the gateway signature)',
      }),
    ),
    trust: Type.Optional(TrustSchema),
    apiName: Type.Optional(Type.String({ default: '', description: 'gateway header _api_name, when the platform sits behind a signing gateway (CSB)' })),
    apiVersion: Type.Optional(Type.String({ default: '', description: 'gateway header _api_version' })),
    accessKey: optionalSecret('gateway access key (_api_access_key), {"env": NAME} or {"file": PATH}; null: no gateway headers'),
    secretKey: optionalSecret('gateway secret key for the HMAC-SHA1 _api_signature; null: no gateway headers'),
    signNo: optionalSecret('envelope field sign_no, if the platform wants one on 9001; never logged'),
  },
  { ...strict, default: SIGNIN_DEFAULTS, description: 'optional platform sign-in probe (transaction 9001); reports infcode and err_msg only' },
);

export const settlementSchema = Type.Object(
  {
    endpoints: Type.Array(EndpointSchema, { minItems: 1, maxItems: 50, description: 'the endpoints to probe: platform URLs, front-end machines, ports' }),
    proxy: Type.Optional(ProxySchema),
    certificates: Type.Optional(CertificatePolicySchema),
    signin: Type.Optional(SigninSchema),
  },
  strict,
);

export type SettlementConfig = Static<typeof settlementSchema>;
export type SigninConfig = Static<typeof SigninSchema>;

/** A secret setting as it arrives after the loader resolved it. */
export type ResolvedSecret = Secret | null;
