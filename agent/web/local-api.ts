import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { LoadedCheck } from '../core/config/load.js';
import type { Text } from '../core/text.js';
import { ConsentBroker } from './consent-broker.js';
import { WebContext, type PageAgent, type PageLogger } from './context.js';
import { lazyCompilersFactory } from './lazy-compilers.js';
import type { LiveHub } from './live-hub.js';
import { apiPlugin } from './plugins/api.js';
import { consentPlugin } from './plugins/consent.js';
import { metricsPlugin } from './plugins/metrics.js';
import { reportPlugin } from './plugins/report.js';
import { pagePlugin } from './plugins/page.js';
import { Binding, Refusals, securityPlugin } from './plugins/security.js';
import { LIVE_DEFAULTS, ssePlugin, type LiveSettings } from './plugins/sse.js';

export { allowedHosts } from './plugins/security.js';

/**
 * The agent's local health page and JSON API on the loopback interface: one fastify server, one encapsulated
 * plugin per concern (security for all routes; api, consent, sse, page, metrics). Nothing here is global: two
 * servers in one process (tests, the benchmark) share nothing.
 */

export interface LocalApiOptions {
  /** A loopback address (the config schema allows nothing else). */
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  agent: PageAgent;
  /** The assistance channel feeds it; the page answers it. A private one when left out. */
  consent?: ConsentBroker;
  /** Check titles for the page, by check id; see checkTitles(). */
  checkTitles?: ReadonlyMap<string, Text>;
  logger?: PageLogger;
  live?: Partial<LiveSettings>;
}

export interface LocalApi {
  app: FastifyInstance;
  ctx: WebContext;
  url: string;
  port: number;
  /** The SSE hub, for tests and the benchmark. */
  hub: LiveHub;
  close(): Promise<void>;
}

export function checkTitles(checks: Pick<LoadedCheck, 'id' | 'plugin'>[]): Map<string, Text> {
  return new Map(checks.map((c) => [c.id, c.plugin.title]));
}

/** Builds the server without listening (fastify inject); the allow-lists assume `opts.port` as the bound port. */
export async function buildLocalApi(opts: LocalApiOptions): Promise<Omit<LocalApi, 'url' | 'port'> & { binding: Binding }> {
  const ctx = new WebContext({
    agent: opts.agent,
    consent: opts.consent ?? new ConsentBroker(),
    checkTitles: opts.checkTitles ?? new Map(),
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
  const binding = new Binding(opts.host, opts.port);
  const app = Fastify({
    logger: false,
    // Bodies are tiny JSON; unknown keys are an error, not silently dropped.
    bodyLimit: 16 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
    // Each route's validator and serializer compiled on first use (memory: see lazy-compilers.ts).
    schemaController: { compilersFactory: lazyCompilersFactory() },
    // Stalled clients must not hold sockets for ever; streams are kept alive by their 10 s messages.
    connectionTimeout: 30_000,
    keepAliveTimeout: 5_000,
  });
  let hub: LiveHub | undefined;
  app.setErrorHandler((err: FastifyError, _req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) ctx.logger.warn({ err: err.message }, 'local page: request failed');
    return reply.code(status).send({ error: err.message, code: err.code ?? 'error' });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: `no such route: ${req.method} ${req.url.split('?')[0]}`, code: 'not_found' }));
  app.addHook('onClose', async () => {
    ctx.close();
    if (!opts.consent) ctx.consent.close();
  });

  const refusals = new Refusals(ctx);
  await app.register(securityPlugin, { ctx, binding, refusals });
  await app.register(apiPlugin, { ctx });
  await app.register(consentPlugin, { ctx });
  await app.register(ssePlugin, { ctx, live: { ...LIVE_DEFAULTS, ...opts.live }, onHub: (h) => (hub = h) });
  await app.register(pagePlugin, { ctx });
  await app.register(reportPlugin, { ctx });
  await app.register(metricsPlugin, { ctx, refusals: refusals.counts });
  await app.ready();
  return { app, ctx, hub: hub!, binding, close: () => app.close() };
}

/** Builds and listens; the page's address is in `url`. */
export async function startLocalApi(opts: LocalApiOptions): Promise<LocalApi> {
  const built = await buildLocalApi(opts);
  try {
    await built.app.listen({ host: opts.host, port: opts.port });
  } catch (err) {
    await built.app.close();
    throw err;
  }
  const port = (built.app.server.address() as { port: number }).port;
  built.binding.set(opts.host, port);
  const address = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return { app: built.app, ctx: built.ctx, hub: built.hub, url: `http://${address}:${port}/`, port, close: built.close };
}
