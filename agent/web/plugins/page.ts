import type { FastifyInstance } from 'fastify';
import { routeOptions } from '../../core/schema/route-spec.js';
import type { Static } from '../../core/schema/type.js';
import type { WebContext } from '../context.js';
import { LOCAL_ROUTES as R, type AssetParams } from '../routes.js';
import { ASSETS } from '../static/assets.js';
import { renderIndexHtml } from '../static/index-html.js';

/** GET / (the page, with this start's token) and GET /static/<file> (its script, styles and icon). */

export function pagePlugin(app: FastifyInstance, opts: { ctx: WebContext }, done: (err?: Error) => void): void {
  const html = renderIndexHtml(opts.ctx.csrfToken, opts.ctx.instance);

  app.route({ ...routeOptions(R.page), handler: async (_req, reply) => reply.type('text/html; charset=utf-8').send(html) });

  app.route<{ Params: Static<typeof AssetParams> }>({
    ...routeOptions(R.asset),
    handler: async (req, reply) => {
      const a = ASSETS.get(req.params.file);
      if (!a) return reply.code(404).send({ error: `no such file: /static/${req.params.file}`, code: 'not_found' });
      reply.header('etag', a.etag);
      if (req.headers['if-none-match'] === a.etag) return reply.code(304).send();
      return reply.type(a.type).send(a.body);
    },
  });
  done();
}
