import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebContext } from '../context.js';

/**
 * The page's defences, for every route: DNS rebinding (Host allow-list), cross-site reads (Fetch Metadata, and a
 * foreign Origin refused), cross-site writes (Origin allow-list and a per-start CSRF token), framing, sniffing and
 * referrers (headers). There is no CORS: no route ever sends Access-Control-* headers, so other origins can neither
 * read nor preflight.
 */

/** The address the server is bound to; the allow-lists follow it once the real port is known. */
export class Binding {
  hosts = new Set<string>();
  origins = new Set<string>();

  constructor(host: string, port: number) {
    this.set(host, port);
  }

  set(host: string, port: number): void {
    this.hosts = allowedHosts(host, port);
    this.origins = new Set([...this.hosts].map((h) => `http://${h}`));
  }
}

/** Host headers a request may carry: the bound address and localhost, on the bound port. Anything else is DNS rebinding. */
export function allowedHosts(host: string, port: number): Set<string> {
  const bound = host.includes(':') ? `[${host}]` : host;
  const names = [bound, 'localhost', '127.0.0.1', '[::1]'];
  // Browsers leave out the default port.
  return new Set([...names.map((n) => `${n}:${port}`), ...(port === 80 ? names : [])]);
}

export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; font-src 'self'; " +
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  // Other origins cannot even embed a response (<script src>, <img src>) to probe it.
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), usb=(), serial=()',
  'cache-control': 'no-store',
};

/** The header a state-changing request carries the page's token in. */
export const CSRF_HEADER = 'x-guardpost-csrf';

/** The header `guardpost assist` carries the token of the agent's 0600 token file in (agent/web/cli-token.ts). */
export const CLI_TOKEN_HEADER = 'x-guardpost-cli-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface SecurityOptions {
  ctx: WebContext;
  binding: Binding;
  refusals: Refusals;
}

/** Refusals per minute that get a log line each; a page hammering the agent must not flush the log of what matters. */
const LOGGED_PER_MINUTE = 20;

/** Counts refusals by reason (exported in /metrics) and logs them, rate-limited. */
export class Refusals {
  readonly counts: Record<string, number> = {};
  private windowStart = 0;
  private inWindow = 0;
  private suppressed = 0;

  constructor(private readonly ctx: WebContext) {}

  note(req: FastifyRequest, code: string): void {
    this.counts[code] = (this.counts[code] ?? 0) + 1;
    const now = Date.now();
    if (now - this.windowStart > 60_000) {
      if (this.suppressed) this.ctx.logger.warn({ suppressed: this.suppressed }, 'local page: more refused requests were not logged');
      this.windowStart = now;
      this.inWindow = 0;
      this.suppressed = 0;
    }
    if (++this.inWindow > LOGGED_PER_MINUTE) {
      this.suppressed++;
      return;
    }
    const h = req.headers;
    this.ctx.logger.warn(
      { code, method: req.method, url: req.url, host: h.host ?? null, origin: h.origin ?? null, fetchSite: h['sec-fetch-site'] ?? null },
      'local page: request refused',
    );
  }
}

function tokenMatches(given: string | string[] | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Fetch Metadata resource isolation: a request another site started may only be a top-level navigation to the
 * page itself (a link from the hospital intranet). Reads of the API, the stream or the metrics from another origin,
 * including another port on this machine ('same-site'), are refused. Clients without these headers (curl,
 * Prometheus, `guardpost status`) are not browsers and pass.
 */
function crossSiteRefused(req: FastifyRequest): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site === undefined || site === 'same-origin' || site === 'none') return false;
  const navigation = req.headers['sec-fetch-mode'] === 'navigate' && req.method === 'GET';
  return !(navigation && (req.url === '/' || req.url.startsWith('/?') || req.url === '/report' || req.url.startsWith('/report?')));
}

/**
 * A state change from the local CLI: the token of the agent's private token file, and nothing a browser adds (a
 * browser names the Origin of every cross-origin POST and cannot send a custom header to another origin without a
 * preflight, which no route answers). The Host check still applies.
 */
export function fromLocalCli(req: FastifyRequest, ctx: WebContext): boolean {
  return req.headers.origin === undefined && req.headers['sec-fetch-site'] === undefined && tokenMatches(req.headers[CLI_TOKEN_HEADER], ctx.cliToken);
}

export function securityPlugin(app: FastifyInstance, opts: SecurityOptions, done: (err?: Error) => void): void {
  const { ctx, binding, refusals } = opts;
  const refuse = (req: FastifyRequest, reply: FastifyReply, status: number, code: string, error: string): FastifyReply => {
    refusals.note(req, code);
    return reply.code(status).send({ error, code });
  };
  app.addHook('onRequest', async (req, reply) => {
    const host = String(req.headers.host ?? '').toLowerCase();
    if (!binding.hosts.has(host)) return refuse(req, reply, 421, 'bad_host', `misdirected request: Host "${host}" is not this agent's address`);
    if (crossSiteRefused(req)) return refuse(req, reply, 403, 'cross_site', 'cross-site request refused');
    const origin = req.headers.origin;
    const ownOrigin = typeof origin === 'string' && binding.origins.has(origin.toLowerCase());
    // Browsers without Fetch Metadata (old ones on old terminals) still name the origin of a cross-origin fetch or
    // EventSource: refused on every route, reads included, so another page cannot even hold a stream open.
    if (origin !== undefined && !ownOrigin) return refuse(req, reply, 403, 'bad_origin', 'requests from another origin are refused (Origin)');
    if (SAFE_METHODS.has(req.method)) return;
    if (fromLocalCli(req, ctx)) return;
    if (!ownOrigin) return refuse(req, reply, 403, 'bad_origin', 'state-changing requests must come from the local page itself (Origin)');
    if (!tokenMatches(req.headers[CSRF_HEADER], ctx.csrfToken)) {
      return refuse(req, reply, 403, 'bad_csrf_token', 'missing or stale page token: reload the page');
    }
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.headers(SECURITY_HEADERS);
    return payload;
  });
  done();
}

// Like fastify-plugin: the hooks apply to the whole server, not only to routes registered inside this plugin.
(securityPlugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
