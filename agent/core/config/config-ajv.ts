import { Ajv, type ValidateFunction } from 'ajv';

/**
 * The ajv instance the config loader compiles its schemas with, and what it compiled. `useDefaults` is how the
 * schema's defaults reach the loaded config (schema.ts holds every default); `allErrors` and `verbose` let every
 * problem be reported at once, with the value found.
 *
 * Compiled lazily and released by `releaseConfigValidators()`: the long-running agent validates its config once, and
 * the generated validators (their source text, code and ajv's schema environment) are close to 1 MB it would otherwise
 * keep for good. A later load compiles them again.
 */
interface Compiled {
  ajv: Ajv;
  bySchema: WeakMap<object, ValidateFunction>;
}

let compiled: Compiled | undefined;

export function compileConfigSchema(schema: object): ValidateFunction {
  compiled ??= { ajv: new Ajv({ allErrors: true, verbose: true, useDefaults: true, strict: false }), bySchema: new WeakMap() };
  let validate = compiled.bySchema.get(schema);
  if (!validate) {
    validate = compiled.ajv.compile(schema);
    compiled.bySchema.set(schema, validate);
  }
  return validate;
}

/** Lets the validators go (`guardpost run` calls it once its config is loaded). */
export function releaseConfigValidators(): void {
  compiled = undefined;
}
