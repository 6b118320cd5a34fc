import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { routeOptions } from '../../core/schema/route-spec.js';
import type { Static } from '../../core/schema/type.js';
import { ConsentError, type ConsentSession } from '../consent-broker.js';
import type { WebContext } from '../context.js';
import { LOCAL_ROUTES as R, type ConsentBody, type ConsentParams } from '../routes.js';
import { fromLocalCli } from './security.js';

/**
 * The person at the terminal answers remote-assistance requests here: approve or deny the prompt, end a running
 * session. Requests themselves come from the desk through the assistance channel, never over HTTP.
 */

/** Who decided, as recorded on the session and in the log: the person at this terminal, through the page. */
export const LOCAL_PAGE = 'local-page';
/** The same person, through `guardpost assist` with the agent's token file. */
export const LOCAL_CLI = 'local-cli';

type Route = { Params: Static<typeof ConsentParams>; Body: Static<typeof ConsentBody> | undefined };

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
  const who = (req: FastifyRequest) => (fromLocalCli(req, opts.ctx) ? LOCAL_CLI : LOCAL_PAGE);

  app.route({ ...routeOptions(R.consent), handler: async () => opts.ctx.consentView() });

  app.route<Route>({
    ...routeOptions(R.consentApprove),
    handler: async (req, reply) => answer(reply, () => consent.approve(req.params.id, who(req))),
  });

  app.route<Route>({
    ...routeOptions(R.consentDeny),
    handler: async (req, reply) => answer(reply, () => consent.deny(req.params.id, who(req), req.body?.reason)),
  });

  app.route<Route>({
    ...routeOptions(R.consentEnd),
    handler: async (req, reply) => answer(reply, () => consent.end(req.params.id, who(req), req.body?.reason)),
  });

  done();
}
