import type { FastifyInstance } from 'fastify';
import { routeOptions } from '../../core/schema/route-spec.js';
import type { Static } from '../../core/schema/type.js';
import type { WebContext } from '../context.js';
import { HISTORY_LIMIT } from '../context.js';
import { diagnosticsText } from '../diagnostics.js';
import { LOCAL_ROUTES as R, type HistoryQuery, type LangQuery, type RunBody } from '../routes.js';

/** The JSON API the page, `guardpost status` and the hospital's IT person read. Read-only except for manual runs. */

export function apiPlugin(app: FastifyInstance, opts: { ctx: WebContext }, done: (err?: Error) => void): void {
  const { ctx } = opts;

  app.route({ ...routeOptions(R.status), handler: async () => ctx.agent.status() });

  app.route({ ...routeOptions(R.snapshot), handler: async () => ctx.snapshot() });

  app.route({ ...routeOptions(R.checks), handler: async () => ({ checks: ctx.checkViews(ctx.agent.status()), run: ctx.manualRun }) });

  app.route({
    ...routeOptions(R.faults),
    handler: async () => {
      const status = ctx.agent.status();
      return { overall: status.overall, counts: status.counts, faults: ctx.faultViews(status) };
    },
  });

  app.route<{ Querystring: Static<typeof HistoryQuery> }>({
    ...routeOptions(R.history),
    handler: async (req) => ({ transitions: ctx.history(ctx.agent.status(), req.query.limit ?? HISTORY_LIMIT) }),
  });

  app.route<{ Querystring: Static<typeof LangQuery> }>({
    ...routeOptions(R.diagnostics),
    handler: async (req, reply) => reply.type('text/plain; charset=utf-8').send(diagnosticsText(ctx.snapshot(), req.query.lang ?? 'zh')),
  });

  app.route<{ Body: Static<typeof RunBody> | undefined }>({
    ...routeOptions(R.runChecks),
    handler: async (req, reply) => {
      const known = ctx.agent.status().checks.map((c) => c.id);
      const wanted = req.body?.checks;
      const unknown = (wanted ?? []).filter((id) => !known.includes(id));
      if (unknown.length) {
        return reply.code(400).send({ error: `unknown check id(s): ${unknown.join(', ')}; known: ${known.join(', ') || 'none'}`, code: 'unknown_check' });
      }
      const { started } = ctx.runChecks(wanted, 'local-page');
      // Results arrive on the live stream; the page does not wait on a slow device for its answer.
      return reply.code(202).send({ started, checks: wanted ?? known, run: ctx.manualRun });
    },
  });

  done();
}
