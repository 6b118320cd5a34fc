import { Type, type Static } from '../../../core/schema/type.js';
import { SECRET_MARK, SecretRef } from '../../../core/config/schema.js';

const strict = { additionalProperties: false } as const;

/** An optional secret: a SecretRef resolved to a Secret by the loader, or null for none. */
export function optionalSecret(description: string) {
  // The union keeps the registry's "every optional setting has a default" rule: null is the default.
  return Type.Optional(Type.Union([SecretRef, Type.Null()], { default: null, [SECRET_MARK]: true, description }));
}

export const ENDPOINT_DEFAULTS = {
  kind: 'http' as const,
  url: '',
  host: '',
  port: 0,
  method: 'GET' as const,
  headers: {} as Record<string, string>,
  body: '',
  expectStatus: [] as number[],
  bodyMatch: '',
  bodyNotMatch: '',
  followRedirects: false,
  maxRedirects: 5,
  timeoutSeconds: 10,
  ipFamily: 'auto' as const,
  useProxy: true,
  slowSeconds: 3,
  slowAfter: 3,
  maxBodyBytes: 65_536,
  checkCertificates: true,
  clockReference: true,
};

export const TRUST_DEFAULTS = { mode: 'system' as 'system' | 'caFile' | 'pin', caFile: '', pins: [] as string[], serverName: '' };

export const TrustSchema = Type.Object(
  {
    mode: Type.Optional(
      Type.Union([Type.Literal('system'), Type.Literal('caFile'), Type.Literal('pin')], {
        default: TRUST_DEFAULTS.mode,
        description: 'how the server certificate is trusted: the system store, the CA bundle in caFile, or a pinned key (pins)',
      }),
    ),
    caFile: Type.Optional(Type.String({ default: TRUST_DEFAULTS.caFile, description: 'PEM file of the CA certificates to trust, for mode "caFile"' })),
    pins: Type.Optional(
      Type.Array(Type.String({ pattern: '^sha256/[A-Za-z0-9+/]{43}=$' }), {
        default: [],
        maxItems: 4,
        description: 'for mode "pin": accepted SHA-256 hashes of the server key (SPKI) as "sha256/<base64>"; more than one for rotation',
      }),
    ),
    serverName: Type.Optional(
      Type.String({ default: TRUST_DEFAULTS.serverName, description: 'name sent as SNI and checked against the certificate; empty: the host of url/host' }),
    ),
  },
  { ...strict, default: TRUST_DEFAULTS, description: 'how the TLS server is trusted (https URLs and tls endpoints)' },
);

/** The endpoint settings by name, so a check can take them without the ones it has no use for (certserver: the platform-only ones). */
export const ENDPOINT_PROPERTIES = {
  name: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$', description: 'short name of the endpoint; the subject of its results and faults' }),
  kind: Type.Optional(
    Type.Union([Type.Literal('http'), Type.Literal('tls'), Type.Literal('tcp'), Type.Literal('dns')], {
      default: ENDPOINT_DEFAULTS.kind,
      description: 'http: a full request to url; tls: connect and handshake to host:port; tcp: connect only; dns: resolve host only',
    }),
  ),
  url: Type.Optional(
    Type.String({ default: ENDPOINT_DEFAULTS.url, pattern: '^(https?://[^\\s]+)?$', description: 'for kind http: the http:// or https:// URL to request' }),
  ),
  host: Type.Optional(Type.String({ default: ENDPOINT_DEFAULTS.host, pattern: '^[^\\s/]*$', description: 'for kinds dns, tcp, tls: host name or IP address' })),
  port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535, default: ENDPOINT_DEFAULTS.port, description: 'for kinds tcp, tls: the port (0: 443 for tls)' })),
  method: Type.Optional(
    Type.Union([Type.Literal('GET'), Type.Literal('HEAD'), Type.Literal('POST'), Type.Literal('PUT'), Type.Literal('OPTIONS')], {
      default: ENDPOINT_DEFAULTS.method,
      description: 'HTTP method',
    }),
  ),
  headers: Type.Optional(
    Type.Record(Type.String({ pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$" }), Type.String({ maxLength: 4096 }), {
      ...strict,
      default: {},
      description: 'extra request headers, e.g. {"Content-Type": "application/json"}; never put secrets here (they are not redacted)',
    }),
  ),
  body: Type.Optional(Type.String({ default: ENDPOINT_DEFAULTS.body, maxLength: 65_536, description: 'request body (sent with Content-Length when not empty)' })),
  expectStatus: Type.Optional(
    Type.Array(Type.Integer({ minimum: 100, maximum: 599 }), {
      default: [],
      description: 'HTTP status codes that count as success; empty: any status means the platform answered',
    }),
  ),
  bodyMatch: Type.Optional(Type.String({ default: ENDPOINT_DEFAULTS.bodyMatch, description: 'JavaScript regular expression the response body must match; empty: not checked' })),
  bodyNotMatch: Type.Optional(
    Type.String({ default: ENDPOINT_DEFAULTS.bodyNotMatch, description: 'JavaScript regular expression the response body must not match; empty: not checked' }),
  ),
  followRedirects: Type.Optional(Type.Boolean({ default: ENDPOINT_DEFAULTS.followRedirects, description: 'follow 3xx redirects (phases add up over the hops)' })),
  maxRedirects: Type.Optional(Type.Integer({ minimum: 0, maximum: 20, default: ENDPOINT_DEFAULTS.maxRedirects, description: 'most redirects followed before failing' })),
  timeoutSeconds: Type.Optional(
    Type.Number({ minimum: 0.1, maximum: 300, default: ENDPOINT_DEFAULTS.timeoutSeconds, description: 'time allowed for the whole probe of this endpoint, all phases' }),
  ),
  trust: Type.Optional(TrustSchema),
  ipFamily: Type.Optional(
    Type.Union([Type.Literal('auto'), Type.Literal('ipv4'), Type.Literal('ipv6'), Type.Literal('prefer-ipv4'), Type.Literal('prefer-ipv6')], {
      default: ENDPOINT_DEFAULTS.ipFamily,
      description: 'addresses used: auto (resolver order), only IPv4, only IPv6, or both with one family tried first',
    }),
  ),
  useProxy: Type.Optional(Type.Boolean({ default: ENDPOINT_DEFAULTS.useProxy, description: "go through the check's proxy (when one applies to this host)" })),
  slowSeconds: Type.Optional(
    Type.Number({ minimum: 0.01, maximum: 300, default: ENDPOINT_DEFAULTS.slowSeconds, description: 'a probe taking longer than this in total is slow' }),
  ),
  slowAfter: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 100, default: ENDPOINT_DEFAULTS.slowAfter, description: 'consecutive slow probes before the endpoint is reported slow' }),
  ),
  maxBodyBytes: Type.Optional(
    Type.Integer({ minimum: 0, maximum: 10_485_760, default: ENDPOINT_DEFAULTS.maxBodyBytes, description: 'bytes of the body kept for the regular expressions (the rest is read and counted, not kept)' }),
  ),
  checkCertificates: Type.Optional(
    Type.Boolean({ default: ENDPOINT_DEFAULTS.checkCertificates, description: "pass the server's TLS chain to the certificate engine (expiry, chain, SM2)" }),
  ),
  clockReference: Type.Optional(
    Type.Boolean({ default: ENDPOINT_DEFAULTS.clockReference, description: "compare the local clock with the server's HTTP Date header" }),
  ),
};

export const EndpointSchema = Type.Object(ENDPOINT_PROPERTIES, { ...strict, description: 'one endpoint to probe' });

export const PROXY_DEFAULTS = { mode: 'env' as 'env' | 'config' | 'none', url: '', username: '', password: null, noProxy: [] as string[] };

export const ProxySchema = Type.Object(
  {
    mode: Type.Optional(
      Type.Union([Type.Literal('env'), Type.Literal('config'), Type.Literal('none')], {
        default: PROXY_DEFAULTS.mode,
        description: 'env: HTTPS_PROXY / HTTP_PROXY / ALL_PROXY / NO_PROXY of the agent\'s environment; config: url, username, password below; none: always direct',
      }),
    ),
    url: Type.Optional(
      // "@" passes the pattern: credentials in the URL get their own message at load (core/config/url-credentials.ts).
      Type.String({ default: PROXY_DEFAULTS.url, pattern: '^(http://[^\\s/]+/?)?$', description: 'for mode config: the HTTP CONNECT proxy, e.g. http://10.0.0.1:3128; credentials in the URL are refused (username and password below)' }),
    ),
    username: Type.Optional(Type.String({ default: PROXY_DEFAULTS.username, description: 'for mode config: proxy user name (Basic); empty: no credentials' })),
    password: optionalSecret('for mode config: proxy password, {"env": NAME} or {"file": PATH}; null: none'),
    noProxy: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        default: [],
        description: 'hosts reached directly, like NO_PROXY: "*", a name ("example.com" also covers its subdomains), ".suffix", an IP, a CIDR range (10.44.0.0/16), or host:port ([IPv6]:port)',
      }),
    ),
  },
  { ...strict, default: PROXY_DEFAULTS, description: 'HTTP CONNECT proxy between the agent and the endpoints' },
);

export type EndpointConfig = Static<typeof EndpointSchema>;
export type TrustConfig = Static<typeof TrustSchema>;
export type ProxyConfig = Static<typeof ProxySchema>;
