import type { ErrorObject } from 'ajv';
import type { SourceLocation } from './json-source.js';
import { describeHiddenValue, redactUrlCredentials } from './redact.js';
import { SECRET_MARK } from './schema.js';

/** One thing wrong with a configuration, named by path (e.g. checks.disk.mounts[1].majorPercent). */
export interface ConfigProblem {
  path: string;
  message: string;
  at?: SourceLocation;
}

/** A configuration that cannot be used. The CLI prints every problem and exits 78 (EX_CONFIG). */
export class ConfigError extends Error {
  readonly exitCode = 78;
  readonly problems: ConfigProblem[];
  constructor(
    readonly source: string,
    problems: ConfigProblem[],
  ) {
    const safe = problems.map(redactProblem);
    super(`${source}: ${safe.length} problem${safe.length === 1 ? '' : 's'}\n${safe.map(formatProblem).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = safe;
  }
}

/** The last guard before a problem is printed or logged: no URL's credentials, whichever rule wrote the message. */
function redactProblem(p: ConfigProblem): ConfigProblem {
  return { ...p, message: redactUrlCredentials(p.message) };
}

export function formatProblem(p: ConfigProblem): string {
  const where = p.at ? ` (line ${p.at.line}, column ${p.at.column})` : '';
  return `  ${p.path || '(root)'}${where}: ${p.message}`;
}

/** /checks/disk/mounts/1/majorPercent → checks.disk.mounts[1].majorPercent */
export function displayPath(pointer: string): string {
  if (!pointer) return '';
  let out = '';
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(key)) out += `[${key}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(key)}]`;
  }
  return out;
}

/** A short, safe rendering of the offending value (long strings cut; never more than 60 characters; no URL credentials). */
export function showValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  const s = typeof v === 'string' ? JSON.stringify(redactUrlCredentials(v)) : JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}..."` : s;
}

/**
 * True when an error is at or inside a secret's setting, whose value must never be echoed: the node that failed is
 * marked, or one on the way to it from `root` (ajv's schemaPath, e.g. #/properties/desk/properties/keyPassphrase/type).
 */
export function atSecret(e: ErrorObject, root?: unknown): boolean {
  if (isSecretNode(e.parentSchema)) return true;
  let node: unknown = root;
  for (const raw of e.schemaPath.replace(/^#\/?/, '').split('/')) {
    if (!node || typeof node !== 'object') return false;
    if (isSecretNode(node)) return true;
    node = (node as Record<string, unknown>)[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return false;
}

const isSecretNode = (s: unknown): boolean => !!s && typeof s === 'object' && (s as Record<string, unknown>)[SECRET_MARK] === true;

function describeType(schema: Record<string, unknown>): string {
  const type = schema.type as string | undefined;
  if (type === 'number' || type === 'integer') {
    const min = schema.minimum ?? schema.exclusiveMinimum;
    const max = schema.maximum ?? schema.exclusiveMaximum;
    const range = min !== undefined && max !== undefined ? ` ${min}..${max}` : min !== undefined ? ` ≥ ${min}` : max !== undefined ? ` ≤ ${max}` : '';
    return `${type === 'integer' ? 'whole number' : 'number'}${range}`;
  }
  if (type === 'string' && typeof schema.description === 'string' && schema.pattern) return `string: ${schema.description}`;
  if (type === 'object' && schema[SECRET_MARK]) return String(schema.description);
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (Array.isArray(schema.anyOf)) {
    const alts = (schema.anyOf as Record<string, unknown>[]).map((s) => (s.const !== undefined ? JSON.stringify(s.const) : describeType(s)));
    return `one of ${alts.join(', ')}`;
  }
  return type === 'array' ? 'an array' : type === 'object' ? 'an object' : (type ?? 'a value');
}

/** Closest candidate within edit distance 2, for "did you mean". */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDist = 3;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDist) {
      best = c;
      bestDist = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

/**
 * Turns ajv's errors (run with allErrors and verbose) into problems that say what was expected and what was found.
 * `prefix` is the JSON pointer of the validated sub-document within the file; `schema` the schema validated, so that
 * values inside a secret's setting are described, never shown.
 */
export function problemsFromAjv(
  errors: ErrorObject[],
  prefix: string,
  locate: (pointer: string) => SourceLocation | undefined,
  locateKey: (pointer: string) => SourceLocation | undefined = locate,
  schema?: unknown,
): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  // An anyOf failure explains itself; drop the noise its alternatives produce at the same place.
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  for (const e of errors) {
    if (e.keyword !== 'anyOf' && anyOfPaths.has(e.instancePath) && e.schemaPath.includes('/anyOf/')) continue;
    const pointer = prefix + e.instancePath;
    const parent = (e.parentSchema ?? {}) as Record<string, unknown>;
    const got = atSecret(e, schema) ? describeHiddenValue(e.data) : showValue(e.data);
    let path = pointer;
    let message: string;
    switch (e.keyword) {
      case 'required': {
        const missing = (e.params as { missingProperty: string }).missingProperty;
        path = `${pointer}/${missing}`;
        const props = (parent.properties ?? {}) as Record<string, Record<string, unknown>>;
        const desc = props[missing]?.description;
        message = `missing; required${desc ? ` (${desc})` : ''}`;
        break;
      }
      case 'additionalProperties': {
        const extra = (e.params as { additionalProperty: string }).additionalProperty;
        path = `${pointer}/${extra.replace(/~/g, '~0').replace(/\//g, '~1')}`;
        const patterns = Object.keys((parent.patternProperties ?? {}) as object);
        if (patterns.length) {
          message = `${JSON.stringify(extra)} is not a valid name here: expected names matching ${patterns.join(' or ')}`;
          break;
        }
        const known = Object.keys((parent.properties ?? {}) as object);
        const hint = suggest(extra, known);
        message = `unknown key ${JSON.stringify(extra)}${hint ? ` (did you mean "${hint}"?)` : ''}; known keys: ${known.join(', ')}`;
        break;
      }
      case 'type':
      case 'minimum':
      case 'maximum':
      case 'exclusiveMinimum':
      case 'exclusiveMaximum':
      case 'pattern':
      case 'const':
      case 'anyOf':
      case 'multipleOf':
        message = `expected ${describeType(parent)}, got ${got}`;
        break;
      case 'minProperties':
      case 'maxProperties':
        message = `expected ${describeType(parent)}, got ${Object.keys((e.data as object) ?? {}).length} keys`;
        break;
      case 'minLength':
        message = `expected at least ${(e.params as { limit: number }).limit} characters, got ${got}`;
        break;
      case 'maxLength':
        message = `expected at most ${(e.params as { limit: number }).limit} characters, got a string of ${String(e.data).length}`;
        break;
      case 'minItems':
      case 'maxItems':
        message = `expected ${e.keyword === 'minItems' ? 'at least' : 'at most'} ${(e.params as { limit: number }).limit} items, got ${(e.data as unknown[]).length}`;
        break;
      case 'enum':
        message = `expected one of ${((e.params as { allowedValues: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v)).join(', ')}, got ${got}`;
        break;
      default:
        message = `${e.message ?? 'invalid'}, got ${got}`;
    }
    const at = e.keyword === 'additionalProperties' ? locateKey(path) : locate(path);
    out.push({ path: displayPath(path), message, at: at ?? locate(pointer) });
  }
  return dedupe(out);
}

function dedupe(list: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return list.filter((p) => {
    const k = `${p.path}\u0000${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
