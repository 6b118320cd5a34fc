import type { FastifyInstance } from 'fastify';
import { routeOptions } from '../../core/schema/route-spec.js';
import type { WebContext } from '../context.js';
import { metricsText } from '../metrics-text.js';
import { LOCAL_ROUTES } from '../routes.js';

/** GET /metrics: Prometheus text format, for a scraper on this machine (or a hospital exporter behind it). */
export function metricsPlugin(app: FastifyInstance, opts: { ctx: WebContext; refusals: Readonly<Record<string, number>> }, done: (err?: Error) => void): void {
  const started = Date.now() / 1000 - process.uptime();
  app.route({
    ...routeOptions(LOCAL_ROUTES.metrics),
    handler: async (_req, reply) =>
      reply.type('text/plain; version=0.0.4; charset=utf-8').send(metricsText(opts.ctx.agent.status(), Math.round(started), opts.refusals)),
  });
  done();
}
