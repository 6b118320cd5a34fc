import { Type, type Static, type TObject, type TSchema } from '../schema/type.js';
import type { CheckPlugin } from '../checks/plugin.js';
import { SiteSchema } from '../site.js';
import { AssistSchema } from '../../assist/policy/schema.js';

// The site section lives in ../site.ts because the plugin contract needs its type too (ProbeContext.site).
export { SiteSchema, type SiteConfig } from '../site.js';
// The assist section lives with the policy that reads it.
export { AssistSchema } from '../../assist/policy/schema.js';

/**
 * The configuration's JSON Schema, built with the in-house builder (../schema/type.ts). Every object forbids unknown
 * keys: a typo must never silently disable a check.
 *
 * Every default lives here, as the schema's `default`, and nowhere else: the loader's ajv fills them in (each optional
 * section defaults to `{}` so its settings' defaults are filled even when the section is left out), the example reads
 * them back (schema-defaults.ts) and docs/config.md prints them. Only platform-dependent defaults (the state
 * directory and log file) come from the OS backend at load time.
 */
const strict = { additionalProperties: false } as const;

/** Marks a schema node as a secret reference; the loader resolves it to a Secret. */
export const SECRET_MARK = 'x-guardpost-secret';

/** A secret comes from an environment variable or a file only readable by its owner; never inline. */
export const SecretRef = Type.Object(
  {
    env: Type.Optional(Type.String({ minLength: 1, pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'environment variable name' })),
    file: Type.Optional(Type.String({ minLength: 1, description: 'path of a file readable only by its owner (chmod 600)' })),
  },
  { ...strict, minProperties: 1, maxProperties: 1, [SECRET_MARK]: true, description: 'secret reference {"env": NAME} or {"file": PATH}' },
);

export const AgentSchema = Type.Object(
  {
    id: Type.Optional(
      Type.String({ pattern: '^[A-Za-z0-9_.-]{1,128}$', description: 'agent id; defaults to "<fixmedins_code>-<terminalId>"' }),
    ),
    profile: Type.Optional(
      Type.Union([Type.Literal('terminal'), Type.Literal('certserver')], {
        default: 'terminal',
        description: 'a settlement terminal, or the certificate-authentication server',
      }),
    ),
  },
  { ...strict, default: {} },
);

export const InhibitRuleSchema = Type.Object(
  {
    source: Type.Array(Type.String({ pattern: '^[A-Z][A-Z0-9_]*$' }), { minItems: 1, description: 'fault codes that mute (while active)' }),
    target: Type.Array(Type.String({ pattern: '^[A-Z][A-Z0-9_]*$' }), { minItems: 1, description: 'fault codes that are muted' }),
    equal: Type.Array(Type.String({ minLength: 1 }), {
      default: [],
      description: 'labels that must be equal on both (subject, checkId, or a probe label such as host or mount)',
    }),
  },
  { ...strict, description: 'extra inhibition rules, added to those the checks declare; muted faults stay visible' },
);

export const DeskSchema = Type.Object(
  {
    enabled: Type.Optional(Type.Boolean({ default: false, description: 'connect to the central service desk' })),
    url: Type.Optional(Type.String({ pattern: '^wss://', description: 'the desk address, wss:// only' })),
    caFile: Type.Optional(Type.String({ minLength: 1, description: "PEM file of the desk's CA" })),
    pins: Type.Optional(
      Type.Array(Type.String({ pattern: '^sha256/[A-Za-z0-9+/]{43}=$', description: 'sha256/<base64 of the SPKI hash>' }), {
        maxItems: 2,
        description: 'pinned desk keys; two allowed for rotation',
      }),
    ),
    certFile: Type.Optional(Type.String({ minLength: 1, description: "the agent's client certificate (PEM)" })),
    keyFile: Type.Optional(Type.String({ minLength: 1, description: "the agent's private key (PEM)" })),
    keyPassphrase: Type.Optional(SecretRef),
    renewBeforeDays: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 400, default: 30, description: 'renew the client certificate through the tunnel this many days before it expires (AGENT_CERT_EXPIRING while that fails)' }),
    ),
    proxy: Type.Optional(
      Type.Object(
        {
          url: Type.String({
            pattern: '^http://',
            description: 'HTTP CONNECT proxy, e.g. http://10.0.0.1:3128; credentials in the URL are refused (username and password)',
          }),
          username: Type.Optional(Type.String({ minLength: 1, description: 'proxy user name (Basic)' })),
          password: Type.Optional(SecretRef),
        },
        strict,
      ),
    ),
    unreachable: Type.Optional(
      Type.Object(
        {
          minorAfterMinutes: Type.Optional(
            Type.Number({ minimum: 1, maximum: 10_080, default: 10, description: 'DESK_UNREACHABLE is raised (minor) after the desk has been unreachable this long' }),
          ),
          majorAfterMinutes: Type.Optional(
            Type.Number({ minimum: 1, maximum: 43_200, default: 240, description: 'DESK_UNREACHABLE becomes major after this long' }),
          ),
        },
        { ...strict, default: {}, description: 'when an unreachable desk becomes a fault; the fault is delivered when the desk is back' },
      ),
    ),
  },
  { ...strict, default: {} },
);

export const WebSchema = Type.Object(
  {
    enabled: Type.Optional(Type.Boolean({ default: true, description: 'serve the local health page and API' })),
    host: Type.Optional(
      Type.String({
        default: '127.0.0.1',
        pattern: '^(127\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}|::1|localhost)$',
        description: 'a loopback address: the page is for this terminal only',
      }),
    ),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, default: 8620 })),
  },
  { ...strict, default: {} },
);

export const LoggingSchema = Type.Object(
  {
    level: Type.Optional(
      Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace'].map((l) => Type.Literal(l)), { default: 'info' }),
    ),
    file: Type.Optional(Type.Union([Type.String({ minLength: 1 }), Type.Null()], { description: 'log file; null for none' })),
    maxSizeMB: Type.Optional(Type.Number({ minimum: 1, maximum: 1024, default: 10 })),
    maxFiles: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 5 })),
    stdout: Type.Optional(Type.Boolean({ description: 'also log to stdout; default: when run by a service manager or a terminal' })),
  },
  { ...strict, default: {} },
);

export const StorageSchema = Type.Object(
  {
    dir: Type.Optional(Type.String({ minLength: 1, description: 'state directory; default per platform' })),
    outbox: Type.Optional(
      Type.Object(
        {
          maxEvents: Type.Optional(Type.Integer({ minimum: 100, maximum: 1_000_000, default: 10_000 })),
          maxBytes: Type.Optional(Type.Integer({ minimum: 65_536, maximum: 1_073_741_824, default: 8 * 1024 * 1024 })),
        },
        { ...strict, default: {} },
      ),
    ),
    history: Type.Optional(
      Type.Object(
        {
          resultsPerCheck: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 50 })),
          failuresPerCheck: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 20 })),
        },
        { ...strict, default: {} },
      ),
    ),
    reportMonths: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 60,
        default: 13,
        description: 'months of daily roll-ups and fault times kept for `guardpost report` (the current month included; 13 keeps a year to compare against)',
      }),
    ),
  },
  { ...strict, default: {} },
);

export const RootSchema = Type.Object(
  {
    site: SiteSchema,
    agent: Type.Optional(AgentSchema),
    // Each entry is validated against its plugin's schema in a second pass, for precise error paths.
    checks: Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_-]{0,63}$' }), Type.Object({}), {
      additionalProperties: false,
      description: 'checks by id (lowercase letters, digits, - and _); the id is the check type unless "type" is given',
    }),
    inhibitRules: Type.Optional(Type.Array(InhibitRuleSchema, { default: [] })),
    desk: Type.Optional(DeskSchema),
    web: Type.Optional(WebSchema),
    logging: Type.Optional(LoggingSchema),
    storage: Type.Optional(StorageSchema),
    assist: Type.Optional(AssistSchema),
  },
  strict,
);

/** Settings every check entry has, whatever its type; the plugin's defaults fill what is left out. */
export function commonCheckProperties(plugin: CheckPlugin): Record<string, TSchema> {
  const d = plugin.defaults;
  return {
    type: Type.Optional(Type.Literal(plugin.type)),
    enabled: Type.Optional(Type.Boolean({ default: true })),
    intervalSeconds: Type.Optional(Type.Number({ minimum: 1, maximum: 86_400, default: d.intervalSeconds })),
    timeoutSeconds: Type.Optional(Type.Number({ minimum: 0.1, maximum: 3_600, default: d.timeoutSeconds })),
    jitterPercent: Type.Optional(Type.Number({ minimum: 0, maximum: 50, default: 10 })),
    raiseAfter: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: d.raiseAfter })),
    clearAfter: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: d.clearAfter })),
  };
}

/** The full schema of one check entry: the framework's settings plus the plugin's own. */
export function checkEntrySchema(plugin: CheckPlugin): TObject {
  return Type.Object({ ...commonCheckProperties(plugin), ...plugin.configSchema.properties }, strict);
}

export type DeskConfig = Static<typeof DeskSchema>;
export type InhibitRuleConfig = Static<typeof InhibitRuleSchema>;
