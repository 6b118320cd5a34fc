import { Ajv } from 'ajv';

/**
 * The one ajv instance the config loader compiles its schemas with. `useDefaults` is how the schema's defaults reach
 * the loaded config (schema.ts holds every default); `allErrors` and `verbose` let every problem be reported at once,
 * with the value found.
 */
export const configAjv = new Ajv({ allErrors: true, verbose: true, useDefaults: true, strict: false });
