import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import type { TObject } from '../schema/type.js';
import type { CheckPlugin } from '../checks/plugin.js';
import type { HostPlatform } from '../../platform/types.js';
import { parseJsonWithLocations, JsonSyntaxError, escapePointerToken, type SourceLocation } from './json-source.js';
import { ConfigError, displayPath, problemsFromAjv, suggest, type ConfigProblem } from './problems.js';
import { RootSchema, checkEntrySchema, type DeskConfig, type InhibitRuleConfig, type SiteConfig } from './schema.js';
import { resolveSecrets } from './secrets.js';

export interface LoadedCheck {
  id: string;
  type: string;
  plugin: CheckPlugin;
  enabled: boolean;
  intervalSeconds: number;
  timeoutSeconds: number;
  jitterPercent: number;
  raiseAfter: number;
  clearAfter: number;
  /** The plugin's own settings, defaults filled, secrets resolved. */
  settings: Record<string, unknown>;
}

export interface GuardpostConfig {
  /** Where it came from: a file path or "embedded default". */
  source: string;
  site: SiteConfig;
  agent: { id: string; profile: 'terminal' | 'certserver' };
  checks: LoadedCheck[];
  inhibitRules: InhibitRuleConfig[];
  desk: DeskConfig;
  web: { enabled: boolean; host: string; port: number };
  logging: { level: string; file: string | null; maxSizeMB: number; maxFiles: number; stdout?: boolean };
  storage: { dir: string; outbox: { maxEvents: number; maxBytes: number }; history: { resultsPerCheck: number; failuresPerCheck: number } };
}

export interface LoadOptions {
  plugins: CheckPlugin[];
  platform: HostPlatform;
  /** Fault codes known to the catalogue, to check inhibit rules. */
  faultCodes: Set<string>;
  env?: NodeJS.ProcessEnv;
}

const ajv = new Ajv({ allErrors: true, verbose: true, useDefaults: true, strict: false });
const rootValidator = ajv.compile(RootSchema);
const entryValidators = new WeakMap<CheckPlugin, { schema: TObject; validate: ValidateFunction }>();

function entryValidator(plugin: CheckPlugin) {
  let v = entryValidators.get(plugin);
  if (!v) {
    const schema = checkEntrySchema(plugin);
    v = { schema, validate: ajv.compile(schema) };
    entryValidators.set(plugin, v);
  }
  return v;
}

export function loadConfigFile(path: string, opts: LoadOptions): GuardpostConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'the file does not exist (write one with: guardpost config example > FILE)'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a directory, not a file'
            : (code ?? String(err));
    throw new ConfigError(path, [{ path: '', message: `cannot read config file: ${why}` }]);
  }
  return parseConfigText(text, path, opts);
}

export function parseConfigText(text: string, source: string, opts: LoadOptions): GuardpostConfig {
  let parsed;
  try {
    parsed = parseJsonWithLocations(text);
  } catch (err) {
    if (err instanceof JsonSyntaxError) throw new ConfigError(source, [{ path: '', message: `invalid JSON: ${err.reason}`, at: err.at }]);
    throw err;
  }
  return buildConfig(parsed.value, source, opts, parsed.locations, parsed.duplicates, parsed.keyLocations);
}

/** Validates an already-parsed document (e.g. the embedded default) and resolves it into a usable config. */
export function buildConfig(
  doc: unknown,
  source: string,
  opts: LoadOptions,
  locations = new Map<string, SourceLocation>(),
  duplicates: { pointer: string; at: SourceLocation; firstAt: SourceLocation }[] = [],
  keyLocations = new Map<string, SourceLocation>(),
): GuardpostConfig {
  const locate = (p: string) => locations.get(p);
  const locateKey = (p: string) => keyLocations.get(p) ?? locations.get(p);
  const problems: ConfigProblem[] = [];

  for (const d of duplicates) {
    const isCheck = /^\/checks\/[^/]+$/.test(d.pointer);
    const name = d.pointer.split('/').pop();
    problems.push({
      path: displayPath(d.pointer),
      at: d.at,
      message: isCheck
        ? `duplicate check id "${name}" (first defined at line ${d.firstAt.line}); each check needs its own id`
        : `duplicate key "${name}" (first at line ${d.firstAt.line}); JSON would silently keep only the last`,
    });
  }

  const rootValid = rootValidator(doc);
  if (!rootValid) problems.push(...problemsFromAjv(rootValidator.errors ?? [], '', locate, locateKey));

  const root = (doc ?? {}) as Record<string, any>;
  const checks: LoadedCheck[] = [];
  const byType = new Map(opts.plugins.map((p) => [p.type, p]));
  const env = opts.env ?? process.env;
  const secretEnv = { env, checkFileMode: opts.platform.name !== 'windows' };

  if (root.checks && typeof root.checks === 'object' && !Array.isArray(root.checks)) {
    for (const [id, entry] of Object.entries(root.checks as Record<string, unknown>)) {
      if (!entry || typeof entry !== 'object' || Array.isArray(entry)) continue; // the root schema reported it
      const pointer = `/checks/${escapePointerToken(id)}`;
      const rawType = (entry as { type?: unknown }).type;
      const type = typeof rawType === 'string' ? rawType : id;
      const plugin = byType.get(type);
      if (!plugin) {
        const known = [...byType.keys()];
        const hint = suggest(type, known);
        const what = typeof rawType === 'string' ? `unknown check type "${type}"` : `unknown check id "${id}" (no "type" given, and no check type has this name)`;
        problems.push({
          path: displayPath(typeof rawType === 'string' ? `${pointer}/type` : pointer),
          at: locate(typeof rawType === 'string' ? `${pointer}/type` : pointer),
          message: `${what}${hint ? `; did you mean "${hint}"?` : ''}; known types: ${known.join(', ')}`,
        });
        continue;
      }
      const { schema, validate } = entryValidator(plugin);
      const explicitTimeout = 'timeoutSeconds' in entry; // before validation fills in defaults
      if (!validate(entry)) {
        problems.push(...problemsFromAjv(validate.errors ?? [], pointer, locate, locateKey));
        continue;
      }
      const e = entry as Record<string, unknown>;
      const { type: _ty, enabled: _en, intervalSeconds: _in, timeoutSeconds: _to, jitterPercent: _ji, raiseAfter: _ra, clearAfter: _cl, ...own } = e;
      for (const p of plugin.validate?.(own) ?? []) {
        problems.push({ path: displayPath(`${pointer}${p.path}`), at: locate(`${pointer}${p.path}`) ?? locate(pointer), message: p.message });
      }
      resolveSecrets(e, schema, pointer, secretEnv, problems);
      const { type: _t, enabled, intervalSeconds, timeoutSeconds, jitterPercent, raiseAfter, clearAfter, ...settings } = e;
      // A default timeout follows a shortened interval; only a timeout the user wrote is held against it.
      const timeout = explicitTimeout ? (timeoutSeconds as number) : Math.min(timeoutSeconds as number, intervalSeconds as number);
      if (timeout > (intervalSeconds as number)) {
        problems.push({
          path: displayPath(`${pointer}/timeoutSeconds`),
          at: locate(`${pointer}/timeoutSeconds`) ?? locate(pointer),
          message: `timeout ${String(timeoutSeconds)} s is longer than the interval ${String(intervalSeconds)} s; runs would overlap`,
        });
      }
      checks.push({
        id,
        type,
        plugin,
        enabled: enabled as boolean,
        intervalSeconds: intervalSeconds as number,
        timeoutSeconds: timeout,
        jitterPercent: jitterPercent as number,
        raiseAfter: raiseAfter as number,
        clearAfter: clearAfter as number,
        settings,
      });
    }
  }

  (root.inhibitRules as InhibitRuleConfig[] | undefined)?.forEach((rule, i) => {
    for (const side of ['source', 'target'] as const) {
      (rule?.[side] ?? []).forEach((code, j) => {
        if (typeof code === 'string' && !opts.faultCodes.has(code)) {
          const hint = suggest(code, [...opts.faultCodes]);
          const p = `/inhibitRules/${i}/${side}/${j}`;
          problems.push({ path: displayPath(p), at: locate(p), message: `unknown fault code "${code}"${hint ? ` (did you mean "${hint}"?)` : ''}; see docs/faults.md` });
        }
      });
    }
  });

  // Secrets are read only from a desk section that passed the schema: no guessing inside a malformed one.
  if (rootValid && root.desk) {
    resolveSecrets(root.desk, RootSchema.properties.desk, '/desk', secretEnv, problems);
    if (root.desk.enabled) {
      // What the tunnel needs to connect with mutual TLS; checked here so `config validate` catches it, not only `run`.
      const need = (key: string, why: string) => problems.push({ path: `desk.${key}`, at: locate('/desk'), message: `missing; ${why}` });
      if (!root.desk.url) need('url', 'required when desk.enabled is true');
      if (!root.desk.caFile && !(root.desk.pins ?? []).length) need('caFile', 'the desk must be verified by its CA (caFile) or pinned keys (pins)');
      if (!root.desk.certFile) need('certFile', "required when desk.enabled is true: the agent's client certificate");
      if (!root.desk.keyFile) need('keyFile', "required when desk.enabled is true: the agent's private key");
    }
  }

  if (problems.length) {
    problems.sort((a, b) => (a.at?.line ?? 0) - (b.at?.line ?? 0) || (a.at?.column ?? 0) - (b.at?.column ?? 0));
    throw new ConfigError(source, problems);
  }

  const site = root.site as SiteConfig;
  const paths = opts.platform.paths();
  const logging = root.logging ?? {};
  const storage = root.storage ?? {};
  const web = root.web ?? {};
  return {
    source,
    site,
    agent: { id: root.agent?.id ?? `${site.fixmedins_code}-${site.terminalId}`, profile: root.agent?.profile ?? 'terminal' },
    checks,
    inhibitRules: root.inhibitRules ?? [],
    desk: root.desk ?? { enabled: false },
    web: { enabled: web.enabled ?? true, host: web.host ?? '127.0.0.1', port: web.port ?? 8620 },
    logging: {
      level: logging.level ?? 'info',
      file: logging.file === undefined ? paths.logFile : logging.file,
      maxSizeMB: logging.maxSizeMB ?? 10,
      maxFiles: logging.maxFiles ?? 5,
      stdout: logging.stdout,
    },
    storage: {
      dir: storage.dir ?? paths.stateDir,
      outbox: { maxEvents: storage.outbox?.maxEvents ?? 10_000, maxBytes: storage.outbox?.maxBytes ?? 8 * 1024 * 1024 },
      history: { resultsPerCheck: storage.history?.resultsPerCheck ?? 50, failuresPerCheck: storage.history?.failuresPerCheck ?? 20 },
    },
  };
}

/** A config that runs on any machine: the host checks on their defaults, state in `stateDir`. */
export function embeddedDefaultDocument(plugins: CheckPlugin[], stateDir: string): Record<string, unknown> {
  const checks: Record<string, unknown> = {};
  for (const p of plugins) if (['disk', 'memory', 'clock'].includes(p.type)) checks[p.type] = {};
  return {
    site: {
      fixmedins_code: 'H00000000000',
      fixmedins_name: '演示机构 (demo site)',
      mdtrtarea_admvs: '000000',
      terminalId: hostname().replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 64) || 'terminal',
    },
    checks,
    logging: { file: join(stateDir, 'agent.log') },
    storage: { dir: stateDir },
  };
}
