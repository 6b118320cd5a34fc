import type { ErrorObject } from 'ajv';
import type { CheckPlugin } from '../checks/plugin.js';
import { compileConfigSchema } from './config-ajv.js';

/**
 * Validates one check's own settings against its plugin schema and fills the schema's defaults.
 * Used by tests and by `guardpost check`; the config loader does the same over the whole file with full error paths.
 */
export function checkConfigWithDefaults<C>(plugin: CheckPlugin<C>, partial: Record<string, unknown>): C {
  const validate = compileConfigSchema(plugin.configSchema);
  const copy = structuredClone(partial);
  if (!validate(copy)) {
    const errs = (validate.errors ?? []) as ErrorObject[];
    throw new Error(`${plugin.type}: ${errs.map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ')}`);
  }
  return copy as C;
}
