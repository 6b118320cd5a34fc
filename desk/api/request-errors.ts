import type { FastifyRequest } from 'fastify';

/**
 * What the engineer API tells a client about input its schemas refused: the parameter, the value and what was
 * expected, e.g. `limit: "1.5" must be integer` or `severity: "urgent" is not one of critical, major, minor`.
 * Built from ajv's errors (with `verbose`, so the value and the schema are at hand); nothing internal is echoed.
 */

interface SchemaError {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
  schema?: unknown;
  parentSchema?: Record<string, unknown>;
  data?: unknown;
}

const WHERE: Record<string, string> = { querystring: 'query parameter', params: 'path parameter', body: 'body field', headers: 'header' };

/** A value short enough to repeat to the client. */
const shown = (v: unknown) => {
  const text = JSON.stringify(v);
  return text !== undefined && text.length <= 60 ? `${text} ` : '';
};

export function describeSchemaError(errors: SchemaError[], dataVar: string): string {
  const e = errors.find((x) => x.keyword === 'anyOf') ?? errors[0];
  if (!e) return `invalid ${dataVar}`;
  const where = WHERE[dataVar] ?? dataVar;
  if (e.keyword === 'additionalProperties') return `unknown ${where} "${String(e.params.additionalProperty)}"`;
  if (e.keyword === 'required') return `missing ${where} "${String(e.params.missingProperty)}"`;
  const field = e.instancePath.split('/').filter(Boolean)[0];
  if (!field) return `${dataVar} ${e.message ?? 'is invalid'}`;
  if (e.keyword === 'anyOf' && Array.isArray(e.schema) && e.schema.every((s) => s && typeof s === 'object' && 'const' in s)) {
    return `${field}: ${shown(e.data)}is not one of ${(e.schema as { const: unknown }[]).map((s) => String(s.const)).join(', ')}`;
  }
  const example = (e.parentSchema?.examples as unknown[] | undefined)?.[0];
  if (e.keyword === 'pattern' && example !== undefined) return `${field}: ${shown(e.data)}must look like ${String(example)}`;
  return `${field}: ${shown(e.data)}${e.message ?? 'is invalid'}`;
}

/**
 * Query parameters that take several values may be repeated or comma-separated (`severity=critical,major`): both
 * become one array before validation.
 */
export function splitLists(names: readonly string[]) {
  return async (req: FastifyRequest): Promise<void> => {
    const q = req.query as Record<string, unknown>;
    for (const name of names) {
      const v = q[name];
      if (v === undefined) continue;
      const values = (Array.isArray(v) ? v : [v]).flatMap((x) => String(x).split(',')).map((x) => x.trim()).filter(Boolean);
      if (values.length) q[name] = values;
      else delete q[name];
    }
  };
}
