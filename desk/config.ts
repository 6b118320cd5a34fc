import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { Ajv } from 'ajv';
import { Type } from '../agent/core/schema/type.js';
import { ConfigError, type ConfigProblem } from '../agent/core/config/problems.js';
import { DESK_LIMIT_DEFAULTS as LIMITS, MAX_BATCH_EVENTS } from '../agent/tunnel/protocol/constants.js';

/** desk.json in the desk's directory, written by `guardpost desk init`. Relative paths are relative to that directory. */
const strict = { additionalProperties: false } as const;
const Listen = (port: number, host: string, what: string) =>
  Type.Object(
    {
      host: Type.Optional(Type.String({ default: host, description: `address ${what} listen on` })),
      port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535, default: port })),
    },
    { ...strict, default: {} },
  );

export const DeskFileSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ default: 'guardpost-desk', description: 'host name agents use (first name in the server certificate)' })),
    organisation: Type.Optional(
      Type.String({ minLength: 1, maxLength: 128, description: "the engineers' organisation, shown to the terminal's operator with every remote-assistance request" }),
    ),
    // 0.0.0.0 on purpose: agents reach the desk from their sites; mutual TLS, not the address, keeps others out.
    agents: Type.Optional(Listen(8443, '0.0.0.0', 'agents connect to (wss, mutual TLS; all interfaces, as a server should)')),
    api: Type.Optional(Listen(8444, '127.0.0.1', 'the engineer API (https, token)')),
    enroll: Type.Optional(
      Type.Object(
        {
          host: Type.Optional(Type.String({ default: '0.0.0.0', description: 'address terminals enroll on (https with the server certificate; a one-time code is the credential)' })),
          port: Type.Integer({ minimum: 0, maximum: 65535, description: 'enrollment port (guardpost desk init writes 8445); without this section the desk takes no enrollments' }),
          certDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 825, default: 365, description: 'validity of the client certificates issued at enrollment and renewal' })),
          attemptsPerMinute: Type.Optional(Type.Integer({ minimum: 1, maximum: 600, default: 10, description: 'enrollment attempts per source address per minute (codes cannot be guessed by trying)' })),
        },
        strict,
      ),
    ),
    tls: Type.Optional(
      Type.Object(
        {
          caCert: Type.Optional(Type.String({ default: 'ca.pem' })),
          caKey: Type.Optional(Type.String({ default: 'ca.key' })),
          cert: Type.Optional(Type.String({ default: 'server.pem' })),
          key: Type.Optional(Type.String({ default: 'server.key' })),
        },
        { ...strict, default: {} },
      ),
    ),
    database: Type.Optional(Type.String({ default: 'desk.db' })),
    log: Type.Optional(
      Type.Object(
        { file: Type.Optional(Type.String({ default: 'desk.log' })), level: Type.Optional(Type.String({ default: 'info' })), stdout: Type.Optional(Type.Boolean({ default: true })) },
        { ...strict, default: {} },
      ),
    ),
    policy: Type.Optional(
      Type.Object(
        {
          heartbeatSeconds: Type.Optional(Type.Integer({ minimum: 5, maximum: 3600, default: 60 })),
          maxBatchEvents: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_BATCH_EVENTS, default: 500 })),
          maxBatchBytes: Type.Optional(Type.Integer({ minimum: 1024, maximum: 900 * 1024, default: 512 * 1024 })),
          windowEvents: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, default: 2000 })),
        },
        { ...strict, default: {} },
      ),
    ),
    limits: Type.Optional(
      Type.Object(
        {
          eventBurst: Type.Optional(Type.Integer({ minimum: 100, default: LIMITS.eventBurst, description: 'events per agent acknowledged at full speed (a catch-up after days offline)' })),
          eventsPerSecond: Type.Optional(Type.Number({ minimum: 0.1, default: LIMITS.eventsPerSecond, description: 'after the burst, acknowledgements hold an agent to this rate (it waits, nothing is dropped)' })),
          maxOpenFaults: Type.Optional(Type.Integer({ minimum: 10, default: LIMITS.maxOpenFaults, description: 'open occurrences per agent; new ones beyond are refused (close 4021)' })),
          bytesPerDay: Type.Optional(Type.Integer({ minimum: 1024 * 1024, default: LIMITS.bytesPerDay, description: 'bytes stored per agent per day (China Standard Time); beyond, refused (close 4021)' })),
          connectBurst: Type.Optional(Type.Integer({ minimum: 1, default: LIMITS.connectBurst, description: 'connections per agent at once' })),
          connectsPerMinute: Type.Optional(Type.Number({ minimum: 0.1, default: LIMITS.connectsPerMinute, description: 'then per minute; more are closed with 4020 before hello' })),
        },
        { ...strict, default: {}, description: 'per-agent limits: one broken or hostile terminal must not fill the disk or starve the others' },
      ),
    ),
    idleTimeoutSeconds: Type.Optional(Type.Integer({ minimum: 10, default: 150, description: 'an agent silent this long (no frame, no ping) is dropped' })),
    helloTimeoutSeconds: Type.Optional(Type.Integer({ minimum: 1, default: 15 })),
    notify: Type.Optional(
      Type.Object(
        {},
        {
          additionalProperties: true,
          description: 'notifications: channels (WeCom, DingTalk, Feishu, webhook, e-mail), routes, silences, maintenance windows, escalation; validated at desk start (desk/notify/README.md)',
        },
      ),
    ),
    targets: Type.Optional(
      Type.Object(
        {
          respondMinutes: Type.Optional(Type.Number({ minimum: 1, default: 10, description: 'contract: every fault acknowledged within this' })),
          resolveHours: Type.Optional(
            Type.Object(
              { critical: Type.Optional(Type.Number({ minimum: 1, default: 12 })), major: Type.Optional(Type.Number({ minimum: 1, default: 24 })) },
              { ...strict, default: {} },
            ),
          ),
        },
        { ...strict, default: {} },
      ),
    ),
  },
  strict,
);

export interface DeskConfig {
  dir: string;
  source: string;
  name: string;
  /** Sent with remote-assistance requests (who is asking, besides the engineer's name). */
  organisation?: string;
  agents: { host: string; port: number };
  api: { host: string; port: number };
  /** Enrollment by one-time code (absent: none). */
  enroll?: { host: string; port: number; certDays: number; attemptsPerMinute: number };
  tls: { caCert: string; caKey: string; cert: string; key: string };
  database: string;
  log: { file: string; level: string; stdout: boolean };
  policy: { heartbeatSeconds: number; maxBatchEvents: number; maxBatchBytes: number; windowEvents: number };
  limits: DeskLimits;
  idleTimeoutSeconds: number;
  helloTimeoutSeconds: number;
  targets: { respondMinutes: number; resolveHours: { critical: number; major: number } };
  /** desk.json's notify section as written; parsed (secrets read) when the desk starts (desk/notify/notify-config.ts). */
  notify?: Record<string, unknown>;
}

export interface DeskLimits {
  eventBurst: number;
  eventsPerSecond: number;
  maxOpenFaults: number;
  bytesPerDay: number;
  connectBurst: number;
  connectsPerMinute: number;
}

export const DESK_FILE = 'desk.json';
const validate = new Ajv({ useDefaults: true, strict: false, allErrors: true }).compile(DeskFileSchema);

export function loadDeskConfig(dir: string): DeskConfig {
  const source = join(dir, DESK_FILE);
  if (!existsSync(source)) throw new ConfigError(source, [{ path: '', message: `no desk here; create one with: guardpost desk init --dir ${dir}` }]);
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(source, 'utf8'));
  } catch (err) {
    throw new ConfigError(source, [{ path: '', message: `cannot read: ${(err as Error).message}` }]);
  }
  return resolveDeskConfig(doc, dir, source);
}

export function resolveDeskConfig(doc: unknown, dir: string, source: string): DeskConfig {
  if (!validate(doc)) {
    const problems: ConfigProblem[] = (validate.errors ?? []).map((e) => ({
      path: e.instancePath.slice(1).replace(/\//g, '.'),
      message: e.keyword === 'additionalProperties' ? `unknown key "${String(e.params.additionalProperty)}"` : (e.message ?? 'invalid'),
    }));
    throw new ConfigError(source, problems);
  }
  // Defaults are filled in by the validator (useDefaults).
  const d = doc as Record<string, any>;
  const abs = (p: string) => (isAbsolute(p) ? p : join(dir, p));
  return {
    dir,
    source,
    name: d.name,
    ...(d.organisation ? { organisation: d.organisation } : {}),
    agents: d.agents,
    api: d.api,
    ...(d.enroll ? { enroll: d.enroll } : {}),
    tls: { caCert: abs(d.tls.caCert), caKey: abs(d.tls.caKey), cert: abs(d.tls.cert), key: abs(d.tls.key) },
    database: abs(d.database),
    log: { ...d.log, file: abs(d.log.file) },
    policy: d.policy,
    limits: d.limits,
    idleTimeoutSeconds: d.idleTimeoutSeconds,
    helloTimeoutSeconds: d.helloTimeoutSeconds,
    targets: d.targets,
    ...(d.notify ? { notify: d.notify } : {}),
  } as DeskConfig;
}
