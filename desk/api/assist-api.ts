import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AssistHub, NewRequest } from '../assist/assist-hub.js';
import type { DeskAssistState } from '../store/assist-types.js';
import type { DeskStore } from '../store/types.js';
import { ASSIST_ROUTES as R, DEFAULT_DURATION_MINUTES } from './assist-routes.js';
import { deskRouteOptions } from './common-schemas.js';
import { splitLists } from './request-errors.js';

type Engineer = FastifyRequest & { engineer?: string };

/**
 * The remote-assistance routes on the engineer API (specs in assist-routes.ts). Refusals are AssistErrors, which the
 * API's error handler answers with their status and message (409 for an agent offline or without assistance, 403
 * for another engineer's session, …). The WebSocket of a session's channels is served on the same server's upgrade
 * event (desk/assist/engineer-socket.ts); a plain GET of it is told so.
 */
export function registerAssistRoutes(app: FastifyInstance, store: DeskStore, hubOrNone: AssistHub | undefined): void {
  const hub = (): AssistHub => {
    if (!hubOrNone) throw new Error('remote assistance is not served by this API instance');
    return hubOrNone;
  };

  app.route({
    ...deskRouteOptions(R.assistRequest),
    handler: async (req: Engineer, reply) => {
      const { agent } = req.params as { agent: string };
      const body = req.body as Omit<NewRequest, 'durationMinutes'> & { durationMinutes?: number };
      const request = hub().request(agent, req.engineer!, { ...body, durationMinutes: body.durationMinutes ?? DEFAULT_DURATION_MINUTES });
      return reply.code(202).send({ request });
    },
  });

  app.route({
    ...deskRouteOptions(R.assistList),
    preValidation: splitLists(['state']),
    handler: async (req) => {
      const q = req.query as { agent?: string; state?: DeskAssistState[]; limit: number };
      return { requests: hub().list({ ...(q.agent ? { agent: q.agent } : {}), ...(q.state ? { state: [...new Set(q.state)] } : {}), limit: q.limit }) };
    },
  });

  app.route({
    ...deskRouteOptions(R.assistGet),
    handler: async (req, reply) => {
      const row = hub().find((req.params as { id: string }).id);
      const { wait } = req.query as { wait: number };
      // A client that goes away ends its wait at once (nothing stays registered for it).
      const request = await hub().wait(row, wait, (cancel) => reply.raw.once('close', cancel));
      return { request };
    },
  });

  app.route({
    ...deskRouteOptions(R.assistEnd),
    handler: async (req: Engineer, reply) => reply.code(202).send(hub().end((req.params as { id: string }).id, req.engineer!)),
  });

  app.route({
    ...deskRouteOptions(R.assistChannels),
    handler: async (_req, reply) =>
      reply.code(426).header('upgrade', 'websocket').send({ error: 'this route is a WebSocket: connect with an upgrade (guardpost desk-cli assist, diag and forward do)' }),
  });

  app.route({
    ...deskRouteOptions(R.agentAudit),
    handler: async (req, reply) => {
      const { agent } = req.params as { agent: string };
      const q = req.query as { after: number; limit: number };
      if (!store.assist.agentExists(agent)) return reply.code(404).send({ error: `no agent ${agent}` });
      return { agent, records: store.assist.auditRecords(agent, q.after, q.limit), chain: store.assist.auditStatus(agent) };
    },
  });
}
