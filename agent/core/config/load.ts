import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { loadChecks } from './check-entries.js';
import { compileConfigSchema } from './config-ajv.js';
import { parseJsonWithLocations, JsonSyntaxError, type SourceLocation } from './json-source.js';
import { ConfigError, displayPath, problemsFromAjv, type ConfigProblem } from './problems.js';
import { urlCredentialProblems } from './url-credentials.js';
import { RootSchema } from './schema.js';
import { loadAgent, loadAssist, loadDesk, loadInhibitRules, loadLogging, loadSite, loadStorage, loadWeb, type LoadPass } from './sections.js';
import type { GuardpostConfig, LoadOptions } from './types.js';

export type { GuardpostConfig, LoadedCheck, LoadOptions } from './types.js';


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

type Duplicate = { pointer: string; at: SourceLocation; firstAt: SourceLocation };

/** JSON.parse would keep only the last of two equal keys; the file's author meant both. */
function duplicateKeyProblems(duplicates: Duplicate[]): ConfigProblem[] {
  return duplicates.map((d) => {
    const isCheck = /^\/checks\/[^/]+$/.test(d.pointer);
    const name = d.pointer.split('/').pop();
    return {
      path: displayPath(d.pointer),
      at: d.at,
      message: isCheck
        ? `duplicate check id "${name}" (first defined at line ${d.firstAt.line}); each check needs its own id`
        : `duplicate key "${name}" (first at line ${d.firstAt.line}); JSON would silently keep only the last`,
    };
  });
}

/**
 * Validates an already-parsed document (e.g. the embedded default) and resolves it into a usable config. The root
 * schema fills the defaults in place; each section then adds what a schema cannot check. Every problem is collected
 * before one ConfigError is thrown, in file order.
 */
export function buildConfig(
  doc: unknown,
  source: string,
  opts: LoadOptions,
  locations = new Map<string, SourceLocation>(),
  duplicates: Duplicate[] = [],
  keyLocations = new Map<string, SourceLocation>(),
): GuardpostConfig {
  const pass: LoadPass = {
    opts,
    problems: duplicateKeyProblems(duplicates),
    locate: (p) => locations.get(p),
    locateKey: (p) => keyLocations.get(p) ?? locations.get(p),
    secrets: { env: opts.env ?? process.env, checkFileMode: opts.platform.name !== 'windows', skip: opts.readSecrets === false },
  };
  const rootValidator = compileConfigSchema(RootSchema);
  const schemaValid = rootValidator(doc);
  if (!schemaValid) pass.problems.push(...problemsFromAjv(rootValidator.errors ?? [], '', pass.locate, pass.locateKey, RootSchema));

  const root = (doc ?? {}) as Record<string, unknown>;
  const checks = loadChecks(root.checks, pass);
  const inhibitRules = loadInhibitRules(root.inhibitRules, pass);
  const desk = loadDesk(root.desk, schemaValid, pass);
  const assist = loadAssist(root.assist, schemaValid, pass);
  pass.problems.push(...urlCredentialProblems(doc, pass.locate));
  if (pass.problems.length) {
    pass.problems.sort((a, b) => (a.at?.line ?? 0) - (b.at?.line ?? 0) || (a.at?.column ?? 0) - (b.at?.column ?? 0));
    throw new ConfigError(source, pass.problems);
  }

  const site = loadSite(root.site);
  const paths = opts.platform.paths();
  return {
    source,
    site,
    agent: loadAgent(root.agent, site),
    checks,
    inhibitRules,
    desk,
    web: loadWeb(root.web),
    logging: loadLogging(root.logging, paths),
    storage: loadStorage(root.storage, paths),
    assist,
  };
}

/** The checks of the embedded default: the host's own, which need nothing configured. */
export const EMBEDDED_DEFAULT_CHECKS: readonly string[] = ['disk', 'memory', 'clock'];

/** A config that runs on any machine: the host checks on their defaults, state in `stateDir`. */
export function embeddedDefaultDocument(stateDir: string): Record<string, unknown> {
  const checks = Object.fromEntries(EMBEDDED_DEFAULT_CHECKS.map((type) => [type, {}]));
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
