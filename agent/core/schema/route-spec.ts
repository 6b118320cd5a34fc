import type { TObject, TSchema } from './type.js';

/**
 * One HTTP route as data: what fastify registers (method, url, schema) and what docs/api.md says about it (summary,
 * auth). The server registers exactly this object and `guardpost docs api` renders exactly this object, so the
 * document cannot describe a route other than the one served.
 */
export interface RouteSpec {
  method: 'GET' | 'POST';
  url: string;
  /** One line: what the route answers or does. */
  summary: string;
  /** Who may call it, in words (the checks themselves are the server's hooks). */
  auth: string;
  schema: {
    params?: TObject;
    querystring?: TObject;
    body?: TObject;
    /** By status code. */
    response: Record<number, TSchema>;
  };
}

/** The part of a spec fastify takes as route options; spread it and add the handler. */
export function routeOptions(spec: RouteSpec): Pick<RouteSpec, 'method' | 'url' | 'schema'> {
  return { method: spec.method, url: spec.url, schema: spec.schema };
}
