import path from 'node:path';
import type { Secret } from '../../core/config/secret.js';
import type { EnvValue } from './module-env.js';
import { SIGN_TEST_DEFAULTS, TOKEN_DEFAULTS, type SignTestSettings, type TokenConfig, type TokenEntry } from './schema.js';

/** One configured token with every default filled in and its subject name decided. */
export interface ResolvedToken {
  /** Position in `tokens`, for error messages. */
  index: number;
  name: string;
  module: string;
  label: string;
  serial: string;
  required: boolean;
  certificates: TokenEntry['certificates'];
  certificateRecheckMinutes: number;
  /** tokens[].env: the module's variables (values are Secrets where a reference was given). */
  env: Map<string, EnvValue>;
  signTest: SignTestSettings;
}

/** A config problem: a JSON pointer within the check's entry, and what is wrong there. */
export interface TokenProblem {
  path: string;
  message: string;
}

/**
 * What the schema cannot say, checked when the config is loaded (the plugin's `validate`, so `config validate` names
 * path, line and column) and again when the probe starts, for configs built in code: a PIN wherever the sign test
 * is on, unique names (they are fault subjects), and one environment per module.
 */
export function tokenProblems(config: TokenConfig): TokenProblem[] {
  const problems: TokenProblem[] = [];
  const names = new Map<string, number>();
  const envByModule = new Map<string, Map<string, { value: string; at: number }>>();
  (config.tokens ?? []).forEach((entry, i) => {
    if (entry.signTest?.enabled && (entry.signTest.pin === null || entry.signTest.pin === undefined)) {
      problems.push({ path: `/tokens/${i}/signTest`, message: 'the sign test is enabled but has no pin: add "pin": {"env": NAME} or {"file": PATH}' });
    }
    const name = tokenName(entry);
    const other = names.get(name);
    if (other === undefined) names.set(name, i);
    else problems.push({ path: `/tokens/${i}`, message: `tokens[${other}] and tokens[${i}] are both named "${name}"${nameOrigin(entry)}; give each a "name"` });
    problems.push(...envProblems(entry, i, envByModule));
  });
  return problems;
}

/** Why a token got its name, when it was not given one: the default is not obvious. */
function nameOrigin(e: TokenEntry): string {
  if (e.name) return '';
  if (e.label) return ' (from their label)';
  if (e.serial) return ' (from their serial)';
  return ' (without a name, label or serial a token is named after its module file)';
}

/**
 * A module is loaded once for all its tokens, in one process environment: its tokens must not disagree about a
 * variable. The loader reads LD_* variables only when a process starts, so those would silently do nothing.
 */
function envProblems(entry: TokenEntry, i: number, envByModule: Map<string, Map<string, { value: string; at: number }>>): TokenProblem[] {
  const problems: TokenProblem[] = [];
  const moduleEnv = envByModule.get(entry.module) ?? new Map<string, { value: string; at: number }>();
  envByModule.set(entry.module, moduleEnv);
  const own = new Set<string>();
  (entry.env ?? []).forEach((v, j) => {
    const where = `/tokens/${i}/env/${j}`;
    if (/^LD_/i.test(v.name)) {
      problems.push({ path: `${where}/name`, message: `${v.name} cannot be set for a module: the dynamic loader reads it only when a process starts; give the module's full path instead` });
      return;
    }
    if (own.has(v.name)) {
      problems.push({ path: `${where}/name`, message: `${v.name} is set twice for this token` });
      return;
    }
    own.add(v.name);
    const value = comparable(v.value);
    const earlier = moduleEnv.get(v.name);
    if (earlier && earlier.at !== i && earlier.value !== value) {
      problems.push({ path: `${where}/value`, message: `tokens[${earlier.at}] sets ${v.name} differently for the same module ${entry.module}; tokens on one module share one environment` });
    } else if (!earlier) moduleEnv.set(v.name, { value, at: i });
  });
  return problems;
}

/** A value as text for comparison: a secret reference by where it comes from (at load), a Secret by its source. */
function comparable(v: unknown): string {
  if (typeof v === 'string') return `text:${v}`;
  if (isSecretLike(v)) return `secret:${v.source}`;
  return `ref:${JSON.stringify(v)}`;
}

/** Fills defaults; throws the first problem of tokenProblems (a config that bypassed the loader). */
export function resolveTokens(config: TokenConfig): ResolvedToken[] {
  const [problem] = tokenProblems(config);
  if (problem) throw new Error(`token: ${problem.path.slice(1).replace(/\/(\d+)/g, '[$1]').replace(/\//g, '.')}: ${problem.message}`);
  return (config.tokens ?? []).map((entry, index): ResolvedToken => {
    const e = { ...TOKEN_DEFAULTS, ...stripUndefined(entry) } as Required<TokenEntry>;
    const signTest = { ...SIGN_TEST_DEFAULTS, ...stripUndefined(entry.signTest ?? {}) } as SignTestSettings;
    const name = tokenName(e);
    if (signTest.enabled && !isSecretLike(signTest.pin)) {
      throw new Error(`token: tokens[${index}] ("${name}"): signTest.pin was never read as a secret ({"env": NAME} or {"file": PATH})`);
    }
    const env = new Map<string, EnvValue>();
    for (const v of e.env) {
      if (typeof v.value !== 'string' && !isSecretLike(v.value)) throw new Error(`token: tokens[${index}].env ${v.name}: the secret reference was never read`);
      env.set(v.name, v.value as EnvValue);
    }
    return {
      index,
      name,
      module: e.module,
      label: e.label,
      serial: e.serial,
      required: e.required,
      certificates: entry.certificates,
      certificateRecheckMinutes: e.certificateRecheckMinutes,
      env,
      signTest: { ...signTest, pin: signTest.enabled ? signTest.pin : null },
    };
  });
}

/**
 * The subject name of a token entry: its name, else the configured label, else the configured serial, else the
 * module's file name. Only configured values count: the name must be known before the token is ever seen.
 */
export function tokenName(e: Pick<TokenEntry, 'name' | 'label' | 'serial' | 'module'>): string {
  return e.name || e.label || e.serial || path.basename(e.module);
}

/** A loaded config holds a Secret; a hand-built one in tests may too. A plain {env} reference was never resolved. */
function isSecretLike(v: unknown): v is Secret {
  return typeof (v as Secret | null)?.reveal === 'function';
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Tokens grouped by module path, in config order: each module is loaded and scanned once per cycle. */
export function byModule(tokens: ResolvedToken[]): Map<string, ResolvedToken[]> {
  const groups = new Map<string, ResolvedToken[]>();
  for (const t of tokens) groups.set(t.module, [...(groups.get(t.module) ?? []), t]);
  return groups;
}

/** The environment of one module: every variable its tokens set (they agree; see tokenProblems). */
export function moduleEnvironment(group: ResolvedToken[]): Map<string, EnvValue> {
  const env = new Map<string, EnvValue>();
  for (const t of group) for (const [name, value] of t.env) if (!env.has(name)) env.set(name, value);
  return env;
}
