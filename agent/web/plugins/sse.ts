import type { FastifyInstance } from 'fastify';
import { routeOptions } from '../../core/schema/route-spec.js';
import type { WebContext } from '../context.js';
import { LiveHub, type LiveHubOptions } from '../live-hub.js';
import { LOCAL_ROUTES } from '../routes.js';
import { SECURITY_HEADERS } from './security.js';

/** GET /events: the page's live stream (server-sent events, one `state` event per change, heartbeat included). */

export type LiveSettings = Omit<LiveHubOptions, 'payload'> & {
  /** How often the desk link (state, acked seq, outbox depth) is looked at for changes while pages are open. */
  watchMs: number;
};

export const LIVE_DEFAULTS: LiveSettings = { debounceMs: 50, periodMs: 10_000, maxClients: 64, maxClientsPerOrigin: 16, retryMs: 2_000, watchMs: 2_000 };

export function ssePlugin(app: FastifyInstance, opts: { ctx: WebContext; live: LiveSettings; onHub?: (hub: LiveHub) => void }, done: (err?: Error) => void): void {
  const { ctx } = opts;
  const hub = new LiveHub({ ...opts.live, payload: () => JSON.stringify(ctx.snapshot()) });
  opts.onHub?.(hub);
  const unsubscribe = ctx.onChange(() => hub.notify());
  // The desk's acks and the link's state change without an agent event: look every 2 s while pages are open.
  let lastLink = '';
  const watch = setInterval(() => {
    if (!hub.size) return;
    const { tunnel, store } = ctx.agent.status();
    const link = JSON.stringify([tunnel.state, tunnel.ackedSeq, tunnel.lastError, store.outboxDepth]);
    if (link !== lastLink) hub.notify();
    lastLink = link;
  }, opts.live.watchMs);
  watch.unref();

  app.route({
    ...routeOptions(LOCAL_ROUTES.events),
    handler: async (req, reply) => {
      // Only the page's own origins get this far (security.ts); the page itself sends none on a same-origin stream.
      const origin = typeof req.headers.origin === 'string' ? req.headers.origin.toLowerCase() : '';
      const admission = hub.admits(origin);
      if (admission === 'full') return reply.code(503).send({ error: 'too many open pages', code: 'too_many_streams' });
      if (admission === 'origin_full') return reply.code(503).send({ error: 'too many open pages from this origin', code: 'too_many_streams_from_origin' });
      reply.hijack(); // the stream outlives this handler; onSend hooks do not run, so the headers are written here
      reply.raw.writeHead(200, {
        ...SECURITY_HEADERS,
        'content-type': 'text/event-stream; charset=utf-8',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      req.raw.socket.setNoDelay(true);
      hub.attach(reply.raw, origin);
    },
  });

  // Open streams would keep close() waiting for ever: end them first.
  app.addHook('preClose', (hookDone) => {
    unsubscribe();
    clearInterval(watch);
    hub.close();
    hookDone();
  });
  done();
}
