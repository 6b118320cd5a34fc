import type { TSchema } from '../schema/type.js';

type Node = Record<string, unknown>;

const isPlainObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * The settings an object schema fills in by itself: each property's `default`, and inside object defaults their own
 * properties' defaults — what the loader's ajv (`useDefaults`) puts into an empty section. Lets the example show the
 * schema's defaults instead of repeating them.
 */
export function schemaDefaults(schema: TSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, sub] of Object.entries(((schema as Node).properties ?? {}) as Record<string, Node>)) {
    if (sub.default === undefined) continue;
    const value = structuredClone(sub.default);
    out[key] = isPlainObject(value) && sub.properties ? { ...schemaDefaults(sub as TSchema), ...value } : value;
  }
  return out;
}
