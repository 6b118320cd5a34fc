import type { ValidateFunction } from 'ajv';
import type { TObject } from '../schema/type.js';
import type { CheckPlugin } from '../checks/plugin.js';
import { compileConfigSchema } from './config-ajv.js';
import { escapePointerToken } from './json-source.js';
import { displayPath, problemsFromAjv, suggest } from './problems.js';
import { checkEntrySchema, commonCheckProperties } from './schema.js';
import { resolveSecrets } from './secrets.js';
import type { LoadPass } from './sections.js';
import type { LoadedCheck } from './types.js';

/** The `checks` section: each entry bound to its plugin, checked against the plugin's schema and rules. */

interface EntryValidator {
  schema: TObject;
  validate: ValidateFunction;
  /** The settings every check has (interval, timeout, …); the rest of an entry is the plugin's own. */
  frameworkKeys: Set<string>;
}

/** The framework's settings once the entry schema filled its defaults. */
interface FrameworkSettings {
  enabled: boolean;
  intervalSeconds: number;
  timeoutSeconds: number;
  jitterPercent: number;
  raiseAfter: number;
  clearAfter: number;
}

const entrySchemas = new WeakMap<CheckPlugin, Omit<EntryValidator, 'validate'>>();

function entryValidator(plugin: CheckPlugin): EntryValidator {
  let e = entrySchemas.get(plugin);
  if (!e) {
    e = { schema: checkEntrySchema(plugin), frameworkKeys: new Set(Object.keys(commonCheckProperties(plugin))) };
    entrySchemas.set(plugin, e);
  }
  return { ...e, validate: compileConfigSchema(e.schema) };
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

function ownSettings(entry: Record<string, unknown>, frameworkKeys: Set<string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entry).filter(([k]) => !frameworkKeys.has(k)));
}

export function loadChecks(raw: unknown, pass: LoadPass): LoadedCheck[] {
  if (!isPlainObject(raw)) return []; // the root schema reported it
  const byType = new Map(pass.opts.plugins.map((p) => [p.type, p]));
  const checks: LoadedCheck[] = [];
  for (const [id, entry] of Object.entries(raw)) {
    if (!isPlainObject(entry)) continue; // the root schema reported it
    const check = loadCheck(id, entry, byType, pass);
    if (check) checks.push(check);
  }
  return checks;
}

/** The plugin an entry names by its `type`, or by its id when it has none; a problem when there is none such. */
function pluginFor(id: string, entry: Record<string, unknown>, pointer: string, byType: Map<string, CheckPlugin>, pass: LoadPass): CheckPlugin | undefined {
  const rawType = entry.type;
  const type = typeof rawType === 'string' ? rawType : id;
  const plugin = byType.get(type);
  if (plugin) return plugin;
  const known = pass.opts.knownTypes ?? [...byType.keys()];
  // A known type whose plugin the caller did not load is the caller's mistake, not the config's.
  if (known.includes(type)) throw new Error(`check type "${type}" (checks.${id}) was not loaded; load the plugins the config names`);
  const hint = suggest(type, known);
  const what = typeof rawType === 'string' ? `unknown check type "${type}"` : `unknown check id "${id}" (no "type" given, and no check type has this name)`;
  const at = typeof rawType === 'string' ? `${pointer}/type` : pointer;
  pass.problems.push({ path: displayPath(at), at: pass.locate(at), message: `${what}${hint ? `; did you mean "${hint}"?` : ''}; known types: ${known.join(', ')}` });
  return undefined;
}

function loadCheck(id: string, entry: Record<string, unknown>, byType: Map<string, CheckPlugin>, pass: LoadPass): LoadedCheck | undefined {
  const pointer = `/checks/${escapePointerToken(id)}`;
  const plugin = pluginFor(id, entry, pointer, byType, pass);
  if (!plugin) return undefined;
  const { schema, validate, frameworkKeys } = entryValidator(plugin);
  const explicitTimeout = 'timeoutSeconds' in entry; // before validation fills in defaults
  if (!validate(entry)) {
    pass.problems.push(...problemsFromAjv(validate.errors ?? [], pointer, pass.locate, pass.locateKey, schema));
    return undefined;
  }
  for (const p of plugin.validate?.(ownSettings(entry, frameworkKeys)) ?? []) {
    pass.problems.push({ path: displayPath(`${pointer}${p.path}`), at: pass.locate(`${pointer}${p.path}`) ?? pass.locate(pointer), message: p.message });
  }
  resolveSecrets(entry, schema, pointer, pass.secrets, pass.problems);
  const f = entry as unknown as FrameworkSettings;
  // A default timeout follows a shortened interval; only a timeout the user wrote is held against it.
  const timeout = explicitTimeout ? f.timeoutSeconds : Math.min(f.timeoutSeconds, f.intervalSeconds);
  if (timeout > f.intervalSeconds) {
    pass.problems.push({
      path: displayPath(`${pointer}/timeoutSeconds`),
      at: pass.locate(`${pointer}/timeoutSeconds`) ?? pass.locate(pointer),
      message: `timeout ${String(f.timeoutSeconds)} s is longer than the interval ${String(f.intervalSeconds)} s; runs would overlap`,
    });
  }
  return {
    id,
    type: plugin.type,
    plugin,
    enabled: f.enabled,
    intervalSeconds: f.intervalSeconds,
    timeoutSeconds: timeout,
    jitterPercent: f.jitterPercent,
    raiseAfter: f.raiseAfter,
    clearAfter: f.clearAfter,
    settings: ownSettings(entry, frameworkKeys),
  };
}
