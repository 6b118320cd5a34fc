import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '../../core/schema/type.js';
import type { WebContext } from '../context.js';
import { HISTORY_LIMIT } from '../context.js';
import { diagnosticsText } from '../diagnostics.js';
import { AgentStatusSchema, OverallSchema } from '../schemas/status.js';
import { CheckViewSchema, ErrorSchema, FaultViewSchema, HistoryEntrySchema, ManualRunSchema, SnapshotSchema } from '../schemas/views.js';

/** The JSON API the page, `guardpost status` and the hospital's IT person read. Read-only except for manual runs. */

const errors = { 400: ErrorSchema, 403: ErrorSchema, 421: ErrorSchema };

const RunBody = Type.Object(
  { checks: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 64, description: 'check ids; all when left out' })) },
  { additionalProperties: false },
);
const HistoryQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: HISTORY_LIMIT, default: HISTORY_LIMIT })) },
  { additionalProperties: false },
);
const LangQuery = Type.Object(
  { lang: Type.Optional(Type.Union([Type.Literal('zh'), Type.Literal('en')], { default: 'zh' })) },
  { additionalProperties: false },
);

export function apiPlugin(app: FastifyInstance, opts: { ctx: WebContext }, done: (err?: Error) => void): void {
  const { ctx } = opts;

  app.get('/api/status', { schema: { response: { 200: AgentStatusSchema, ...errors } } }, async () => ctx.agent.status());

  app.get('/api/snapshot', { schema: { response: { 200: SnapshotSchema, ...errors } } }, async () => ctx.snapshot());

  app.get('/api/checks', { schema: { response: { 200: Type.Object({ checks: Type.Array(CheckViewSchema), run: ManualRunSchema }), ...errors } } }, async () => ({
    checks: ctx.checkViews(ctx.agent.status()),
    run: ctx.manualRun,
  }));

  app.get(
    '/api/faults',
    {
      schema: {
        response: {
          200: Type.Object({
            overall: OverallSchema,
            counts: Type.Object({ critical: Type.Number(), major: Type.Number(), minor: Type.Number() }),
            faults: Type.Array(FaultViewSchema),
          }),
          ...errors,
        },
      },
    },
    async () => {
      const status = ctx.agent.status();
      return { overall: status.overall, counts: status.counts, faults: ctx.faultViews(status) };
    },
  );

  app.get<{ Querystring: Static<typeof HistoryQuery> }>(
    '/api/history',
    { schema: { querystring: HistoryQuery, response: { 200: Type.Object({ transitions: Type.Array(HistoryEntrySchema) }), ...errors } } },
    async (req) => ({ transitions: ctx.history(ctx.agent.status(), req.query.limit ?? HISTORY_LIMIT) }),
  );

  app.get<{ Querystring: Static<typeof LangQuery> }>(
    '/api/diagnostics',
    { schema: { querystring: LangQuery, response: { 200: Type.String({ description: 'plain text for the hotline' }), ...errors } } },
    async (req, reply) => reply.type('text/plain; charset=utf-8').send(diagnosticsText(ctx.snapshot(), req.query.lang ?? 'zh')),
  );

  app.post<{ Body: Static<typeof RunBody> | undefined }>(
    '/api/checks/run',
    {
      schema: {
        body: RunBody,
        response: { 202: Type.Object({ started: Type.Boolean(), checks: Type.Array(Type.String()), run: ManualRunSchema }), ...errors },
      },
    },
    async (req, reply) => {
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
  );

  done();
}
