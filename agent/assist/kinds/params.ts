import { Ajv, type ValidateFunction } from 'ajv';
import { problemsFromAjv } from '../../core/config/problems.js';
import type { TSchema } from '../../core/schema/type.js';

/**
 * Validation of what a desk sends a kind (channel params, a diag action's args) against the kind's JSON Schema, with
 * the config loader's wording: `args.lines: expected whole number 1..2000, got 5000`. Defaults are filled in place.
 */
const ajv = new Ajv({ allErrors: true, verbose: true, useDefaults: true, strict: false, coerceTypes: false });
const compiled = new WeakMap<TSchema, ValidateFunction>();

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

/** Checks a copy of `value` (defaults filled); `name` prefixes each problem's path ("params", "args"). */
export function checkAgainst<T>(schema: TSchema, value: unknown, name: string): Checked<T> {
  let validate = compiled.get(schema);
  if (!validate) compiled.set(schema, (validate = ajv.compile(schema)));
  const copy = structuredClone(value);
  if (validate(copy)) return { ok: true, value: copy as T };
  const problems = problemsFromAjv(validate.errors ?? [], '', () => undefined, () => undefined, schema);
  const where = (path: string) => (!path ? name : path.startsWith('[') ? `${name}${path}` : `${name}.${path}`);
  return { ok: false, error: problems.map((p) => `${where(p.path)}: ${p.message}`).join('; ') };
}
