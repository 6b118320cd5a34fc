import { Ajv } from 'ajv';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { describeSchemaError } from '../request-errors.js';

/**
 * For the tickets' route tests: a fastify instance configured as the engineer API configures its own
 * (desk/api/engineer-api.ts: query text converted, bodies taken as sent, unknown parameters refused, 400 naming the
 * field, answers sent as they are), with a stand-in for its auth hook: `Authorization: Bearer NAME` is engineer NAME.
 * Routes are registered by the caller, then `ready()` (inject) or `listen()` (`https`: as the real API, for DeskApiClient).
 */
export function ticketTestApp(https?: { key: string; cert: string }): FastifyInstance {
  const app = Fastify({
    ...(https ? { https } : {}),
    logger: false,
    schemaErrorFormatter: (errors, dataVar) => Object.assign(new Error(describeSchemaError(errors as never, dataVar)), { statusCode: 400 }),
  });
  const options = { removeAdditional: false, useDefaults: true, allErrors: false, verbose: true, strict: false } as const;
  const fromText = new Ajv({ ...options, coerceTypes: 'array' });
  const asSent = new Ajv({ ...options, coerceTypes: false });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? asSent : fromText).compile(schema));
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.decorateRequest('engineer', '');
  app.addHook('onRequest', async (req: FastifyRequest & { engineer?: string }, reply) => {
    const m = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
    if (!m) return reply.code(401).send({ error: 'a valid token is required' });
    req.engineer = m[1]!;
  });
  app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) => {
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return reply.code(err.statusCode).send({ error: err.message });
    return reply.code(500).send({ error: 'internal error' });
  });
  return app;
}
