import type { RouteSpec } from '../../agent/core/schema/route-spec.js';
import { Type, type TSchema } from '../../agent/core/schema/type.js';

/** Schema pieces every part of the engineer API shares (docs/api.md names equal schemas once). */

export const Nullable = <T extends TSchema>(s: T) => Type.Union([s, Type.Null()]);
export const Instant = Type.String({ description: 'ISO-8601 date and time' });
export const ErrorSchema = Type.Object({ error: Type.String() });
export const strict = { additionalProperties: false } as const;
export const Enum = <T extends string>(values: readonly T[], description?: string) => Type.Union(values.map((v) => Type.Literal(v)), description ? { description } : {});
export const ListOf = <T extends string>(values: readonly T[], description: string) =>
  Type.Array(Enum(values), { minItems: 1, maxItems: values.length * 4, description: `${description}; comma-separated or repeated` });
export const AgentId = (description = 'agent id') => Type.String({ pattern: '^[A-Za-z0-9_.-]{1,128}$', examples: ['P44010600123-POS-01'], description });

/** RouteSpec (agent/core) knows GET and POST; ending an assistance request is a DELETE. The renderer prints any method. */
export type DeskRouteSpec = Omit<RouteSpec, 'method'> & { method: RouteSpec['method'] | 'DELETE' };

/** fastify's part of a route spec (routeOptions of agent/core, for the desk's wider methods). */
export function deskRouteOptions(spec: DeskRouteSpec): Pick<DeskRouteSpec, 'method' | 'url' | 'schema'> {
  return { method: spec.method, url: spec.url, schema: spec.schema };
}
