import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '../../core/schema/type.js';
import type { WebContext } from '../context.js';
import { ErrorSchema } from '../schemas/views.js';
import { ASSETS } from '../static/assets.js';
import { renderIndexHtml } from '../static/index-html.js';

/** GET / (the page, with this start's token) and GET /static/<file> (its script, styles and icon). */

const AssetParams = Type.Object({ file: Type.String({ pattern: '^[a-z0-9-]+\\.(js|css|svg)$' }) }, { additionalProperties: false });
const errors = { 403: ErrorSchema, 404: ErrorSchema, 421: ErrorSchema };

export function pagePlugin(app: FastifyInstance, opts: { ctx: WebContext }, done: (err?: Error) => void): void {
  const html = renderIndexHtml(opts.ctx.csrfToken, opts.ctx.instance);

  app.get('/', { schema: { response: { 200: Type.String({ description: 'the health page (HTML)' }), ...errors } } }, async (_req, reply) =>
    reply.type('text/html; charset=utf-8').send(html),
  );

  app.get<{ Params: Static<typeof AssetParams> }>(
    '/static/:file',
    { schema: { params: AssetParams, response: { 200: Type.String(), 304: Type.Null(), ...errors } } },
    async (req, reply) => {
      const a = ASSETS.get(req.params.file);
      if (!a) return reply.code(404).send({ error: `no such file: /static/${req.params.file}`, code: 'not_found' });
      reply.header('etag', a.etag);
      if (req.headers['if-none-match'] === a.etag) return reply.code(304).send();
      return reply.type(a.type).send(a.body);
    },
  );
  done();
}
