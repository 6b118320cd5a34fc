import type { FastifyInstance, FastifyReply } from 'fastify';
import { routeOptions } from '../../core/schema/route-spec.js';
import type { Static } from '../../core/schema/type.js';
import { generateReport } from '../../report/generate.js';
import type { InspectionReport } from '../../report/inspection/build.js';
import { ReportInputError } from '../../report/month.js';
import { renderReportHtml } from '../../report/render/html.js';
import { REPORT_CSS } from '../../report/render/style.js';
import type { WebContext } from '../context.js';
import { LOCAL_ROUTES as R, type ReportQuery } from '../routes.js';

/** GET /report (printable HTML), /report/style.css and /api/report (JSON): the month so far from the running store. */
export function reportPlugin(app: FastifyInstance, opts: { ctx: WebContext }, done: (err?: Error) => void): void {
  const { ctx } = opts;

  const report = async (month: string | undefined, reply: FastifyReply): Promise<InspectionReport | undefined> => {
    const status = ctx.agent.status();
    try {
      return await generateReport({
        dir: status.agent.stateDir ?? '',
        ...(month !== undefined ? { month } : {}),
        live: ctx.agent.rollups,
        site: status.site,
        agentId: status.agent.id,
        version: status.agent.version,
        types: Object.fromEntries(status.checks.map((c) => [c.id, c.type])),
      });
    } catch (err) {
      if (!(err instanceof ReportInputError)) throw err;
      await reply.code(400).send({ error: err.message, code: 'bad_report_input' });
      return undefined;
    }
  };

  app.route<{ Querystring: Static<typeof ReportQuery> }>({
    ...routeOptions(R.report),
    handler: async (req, reply) => {
      const r = await report(req.query.month, reply);
      if (r) return reply.type('text/html; charset=utf-8').send(renderReportHtml(r, { stylesheet: '/report/style.css' }));
      return reply;
    },
  });

  app.route({ ...routeOptions(R.reportStyle), handler: async (_req, reply) => reply.type('text/css; charset=utf-8').send(REPORT_CSS) });

  app.route<{ Querystring: Static<typeof ReportQuery> }>({
    ...routeOptions(R.reportData),
    handler: async (req, reply) => (await report(req.query.month, reply)) ?? reply,
  });
  done();
}
