import type { FastifyInstance } from 'fastify';
import { Type } from '../../core/schema/type.js';
import type { WebContext } from '../context.js';
import { metricsText } from '../metrics-text.js';
import { ErrorSchema } from '../schemas/views.js';

/** GET /metrics: Prometheus text format, for a scraper on this machine (or a hospital exporter behind it). */
export function metricsPlugin(app: FastifyInstance, opts: { ctx: WebContext; refusals: Readonly<Record<string, number>> }, done: (err?: Error) => void): void {
  const started = Date.now() / 1000 - process.uptime();
  app.get(
    '/metrics',
    { schema: { response: { 200: Type.String({ description: 'Prometheus text exposition format 0.0.4' }), 403: ErrorSchema, 421: ErrorSchema } } },
    async (_req, reply) => reply.type('text/plain; version=0.0.4; charset=utf-8').send(metricsText(opts.ctx.agent.status(), Math.round(started), opts.refusals)),
  );
  done();
}
