import Fastify, { type FastifyInstance } from 'fastify';
import type { AgentStatus } from '../core/runtime/status.js';

export interface LocalApiOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  status: () => AgentStatus;
}

/** Host headers a request may carry: the bound address and localhost, on the bound port. Anything else is DNS rebinding. */
export function allowedHosts(host: string, port: number): Set<string> {
  const bound = host.includes(':') ? `[${host}]` : host;
  return new Set([bound, 'localhost', '127.0.0.1', '[::1]'].map((n) => `${n}:${port}`));
}

/**
 * The agent's local JSON API on the loopback interface. The health-page issue adds the page, SSE and the
 * state-changing routes; this serves the read-only status that `guardpost status` uses.
 */
export async function startLocalApi(opts: LocalApiOptions): Promise<{ app: FastifyInstance; url: string; port: number }> {
  const app = Fastify({ logger: false });
  let hosts = new Set<string>();
  app.addHook('onRequest', async (req, reply) => {
    if (!hosts.has(String(req.headers.host ?? '').toLowerCase())) {
      return reply.code(421).send({ error: 'misdirected request: unknown Host header' });
    }
  });
  app.addHook('onSend', async (_req, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('cache-control', 'no-store');
  });
  app.get('/api/status', { schema: { response: { 200: { type: 'object', additionalProperties: true } } } }, async () => opts.status());
  await app.listen({ host: opts.host, port: opts.port });
  const port = (app.server.address() as { port: number }).port;
  hosts = allowedHosts(opts.host, port);
  const address = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return { app, url: `http://${address}:${port}/`, port };
}
