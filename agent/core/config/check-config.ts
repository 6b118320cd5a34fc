import type { ErrorObject, ValidateFunction } from 'ajv';
import type { CheckPlugin } from '../checks/plugin.js';
import { configAjv } from './config-ajv.js';

const cache = new WeakMap<object, ValidateFunction>();

/**
 * Validates one check's own settings against its plugin schema and fills the schema's defaults.
 * Used by tests and by `guardpost check`; the config loader does the same over the whole file with full error paths.
 */
export function checkConfigWithDefaults<C>(plugin: CheckPlugin<C>, partial: Record<string, unknown>): C {
  let validate = cache.get(plugin.configSchema);
  if (!validate) {
    validate = configAjv.compile(plugin.configSchema);
    cache.set(plugin.configSchema, validate);
  }
  const copy = structuredClone(partial);
  if (!validate(copy)) {
    const errs = (validate.errors ?? []) as ErrorObject[];
    throw new Error(`${plugin.type}: ${errs.map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ')}`);
  }
  return copy as C;
}
