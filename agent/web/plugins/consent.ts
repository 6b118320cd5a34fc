import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type, type Static } from '../../core/schema/type.js';
import { ConsentError, type ConsentSession } from '../consent-broker.js';
import type { WebContext } from '../context.js';
import { ConsentSessionSchema, ConsentViewSchema, ErrorSchema } from '../schemas/views.js';

/**
 * The person at the terminal answers remote-assistance requests here: approve or deny the prompt, end a running
 * session. Requests themselves come from the desk through the assistance channel, never over HTTP.
 */

/** Who decided, as recorded on the session and in the log: the person at this terminal, through the page. */
export const LOCAL_PAGE = 'local-page';

const Params = Type.Object({ id: Type.String({ pattern: '^[0-9a-f-]{36}$', description: 'session id' }) }, { additionalProperties: false });
const Body = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false });
const response = { 200: ConsentSessionSchema, 400: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 421: ErrorSchema };

type Route = { Params: Static<typeof Params>; Body: Static<typeof Body> | undefined };

function answer(reply: FastifyReply, act: () => ConsentSession): FastifyReply {
  try {
    return reply.send(act());
  } catch (err) {
    if (!(err instanceof ConsentError)) throw err;
    const status = err.code === 'not_found' ? 404 : err.code === 'wrong_state' ? 409 : 400;
    return reply.code(status).send({ error: err.message, code: err.code });
  }
}

export function consentPlugin(app: FastifyInstance, opts: { ctx: WebContext }, done: (err?: Error) => void): void {
  const { consent } = opts.ctx;
  const schema = { params: Params, body: Body, response };

  app.get('/api/consent', { schema: { response: { 200: ConsentViewSchema, 403: ErrorSchema, 421: ErrorSchema } } }, async () => opts.ctx.consentView());

  app.post<Route>('/api/consent/:id/approve', { schema }, async (req, reply) => answer(reply, () => consent.approve(req.params.id, LOCAL_PAGE)));

  app.post<Route>('/api/consent/:id/deny', { schema }, async (req, reply) =>
    answer(reply, () => consent.deny(req.params.id, LOCAL_PAGE, req.body?.reason)),
  );

  app.post<Route>('/api/consent/:id/end', { schema }, async (req, reply) => answer(reply, () => consent.end(req.params.id, LOCAL_PAGE, req.body?.reason)));

  done();
}
