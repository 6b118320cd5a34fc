import { get } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ConsentBroker } from '../../agent/web/consent-broker.js';
import { allowedHosts } from '../../agent/web/local-api.js';
import { Fixture, pageHeaders, RecordingLogger } from './support.js';

/** The page server's rules for Host, Origin, the CSRF token, Fetch Metadata, CORS and headers (fastify inject). */

const fx = new Fixture();
afterEach(() => fx.close());

async function server() {
  const consent = new ConsentBroker();
  const logger = new RecordingLogger();
  const t = await fx.agent({ clock: {} });
  const api = await fx.injectable(t, { consent, logger });
  const session = consent.request({ engineer: '王工', purpose: { zh: '检查', en: 'check' }, capabilities: ['view'] });
  return { t, api, consent, logger, session };
}

describe('local page security', () => {
  it('refuses Host headers other than the bound address and localhost (DNS rebinding)', async () => {
    const { api } = await server();
    for (const host of ['127.0.0.1:8620', 'localhost:8620', 'LOCALHOST:8620', '[::1]:8620']) {
      expect((await api.app.inject({ url: '/api/status', headers: { host } })).statusCode, host).toBe(200);
    }
    for (const host of ['evil.example:8620', 'evil.example', '127.0.0.1:9999', '127.0.0.1', '192.168.1.10:8620', '127.0.0.1.nip.io:8620', '']) {
      const res = await api.app.inject({ url: '/api/status', headers: { host } });
      expect(res.statusCode, host).toBe(421);
      expect(res.json().code).toBe('bad_host');
      expect(res.headers['x-frame-options']).toBe('DENY'); // refusals carry the headers too
    }
    const page = await api.app.inject({ url: '/', headers: { host: 'rebind.attacker.example:8620' } });
    expect(page.statusCode).toBe(421);
    expect(page.body).not.toContain(api.ctx.csrfToken);
    expect(allowedHosts('127.0.0.1', 80)).toContain('localhost'); // port 80: browsers send no port
  });

  it('state-changing requests need the page’s Origin and this start’s token', async () => {
    const { api, consent, session, logger } = await server();
    const approve = (headers: Record<string, string>) =>
      api.app.inject({ method: 'POST', url: `/api/consent/${session.id}/approve`, headers: { host: '127.0.0.1:8620', 'content-type': 'application/json', ...headers }, payload: {} });
    const token = api.ctx.csrfToken;
    const cases: Array<[string, Record<string, string>, string]> = [
      ['no Origin, no token', {}, 'bad_origin'],
      ['token without Origin (a non-browser client)', { 'x-guardpost-csrf': token }, 'bad_origin'],
      ['another port on this machine', { origin: 'http://127.0.0.1:9999', 'x-guardpost-csrf': token }, 'bad_origin'],
      ['another site', { origin: 'http://evil.example', 'x-guardpost-csrf': token }, 'bad_origin'],
      ['opaque origin (sandboxed frame, file://)', { origin: 'null', 'x-guardpost-csrf': token }, 'bad_origin'],
      ['https look-alike', { origin: 'https://127.0.0.1:8620', 'x-guardpost-csrf': token }, 'bad_origin'],
      ['right Origin, no token', { origin: 'http://127.0.0.1:8620' }, 'bad_csrf_token'],
      ['right Origin, wrong token', { origin: 'http://127.0.0.1:8620', 'x-guardpost-csrf': token.slice(0, -2) + 'xx' }, 'bad_csrf_token'],
      ['right Origin, token of length 0', { origin: 'http://127.0.0.1:8620', 'x-guardpost-csrf': '' }, 'bad_csrf_token'],
    ];
    for (const [what, headers, code] of cases) {
      const res = await approve(headers);
      expect(res.statusCode, what).toBe(403);
      expect(res.json().code, what).toBe(code);
    }
    expect(consent.get(session.id)?.state).toBe('pending');
    expect(api.ctx.manualRun.running).toBe(false);
    const run = await api.app.inject({ method: 'POST', url: '/api/checks/run', headers: { host: '127.0.0.1:8620', origin: 'http://evil.example', 'content-type': 'text/plain' }, payload: '{}' });
    expect(run.statusCode).toBe(403);
    expect(api.ctx.manualRun.startedAt).toBeUndefined();
    expect(logger.lines.filter((l) => l.level === 'warn').length).toBe(cases.length + 1);

    // localhost and 127.0.0.1 are the same page: either origin works with the token
    expect((await approve({ origin: 'http://localhost:8620', 'x-guardpost-csrf': token })).json().state).toBe('active');
  });

  it('a second server (another start) has another token: an old page’s token is refused', async () => {
    const { t, api } = await server();
    const other = await fx.injectable(t);
    expect(other.ctx.csrfToken).not.toBe(api.ctx.csrfToken);
    const res = await other.app.inject({ method: 'POST', url: '/api/checks/run', headers: pageHeaders(api.ctx.csrfToken), payload: {} });
    expect(res.statusCode).toBe(403);
  });

  it('Fetch Metadata: other origins may navigate to the page but not read the API, the stream or the metrics', async () => {
    const { api } = await server();
    const get = (url: string, headers: Record<string, string>) => api.app.inject({ url, headers: { host: '127.0.0.1:8620', ...headers } });
    for (const site of ['cross-site', 'same-site']) {
      for (const url of ['/api/status', '/api/snapshot', '/api/diagnostics', '/events', '/metrics', '/static/app.js']) {
        const res = await get(url, { 'sec-fetch-site': site, 'sec-fetch-mode': 'cors', 'sec-fetch-dest': 'empty' });
        expect(res.statusCode, `${site} ${url}`).toBe(403);
        expect(res.json().code).toBe('cross_site');
      }
      expect((await get('/', { 'sec-fetch-site': site, 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'iframe' })).statusCode).toBe(403);
      expect((await get('/', { 'sec-fetch-site': site, 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' })).statusCode).toBe(200);
    }
    expect((await get('/api/status', { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors' })).statusCode).toBe(200);
    expect((await get('/api/status', { 'sec-fetch-site': 'none', 'sec-fetch-mode': 'navigate' })).statusCode).toBe(200);
  });

  it('no CORS: no Access-Control headers anywhere, preflights are not granted', async () => {
    const { api, session } = await server();
    const responses = await Promise.all([
      api.app.inject({ url: '/api/status', headers: { host: '127.0.0.1:8620', origin: 'http://evil.example' } }),
      api.app.inject({
        method: 'OPTIONS',
        url: `/api/consent/${session.id}/approve`,
        headers: { host: '127.0.0.1:8620', origin: 'http://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-guardpost-csrf' },
      }),
      api.app.inject({ method: 'OPTIONS', url: '/api/checks/run', headers: { host: '127.0.0.1:8620', origin: 'http://127.0.0.1:8620', 'access-control-request-method': 'POST' } }),
    ]);
    for (const res of responses) {
      expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    }
    expect(responses[1]!.statusCode).toBeGreaterThanOrEqual(400);
  });

  it('every response carries the security headers; the CSP allows no inline script and no framing', async () => {
    const { api } = await server();
    for (const url of ['/', '/api/status', '/static/app.js', '/metrics', '/nope']) {
      const h = (await api.app.inject({ url, headers: { host: '127.0.0.1:8620' } })).headers;
      const csp = String(h['content-security-policy']);
      expect(csp, url).toContain("script-src 'self'");
      expect(csp, url).toContain("frame-ancestors 'none'");
      expect(csp, url).toContain("default-src 'none'");
      expect(csp, url).not.toContain('unsafe-inline');
      expect(csp, url).not.toContain('unsafe-eval');
      expect(h['x-frame-options'], url).toBe('DENY');
      expect(h['x-content-type-options'], url).toBe('nosniff');
      expect(h['referrer-policy'], url).toBe('no-referrer');
      expect(h['cross-origin-resource-policy'], url).toBe('same-origin');
      expect(h['cache-control'], url).toBe('no-store');
    }
  });

  it('binds to loopback only: the listening socket is on 127.0.0.1', async () => {
    const t = await fx.agent({ clock: {} });
    const api = await fx.page(t);
    expect(api.app.server.address()).toMatchObject({ address: '127.0.0.1' });
    expect(api.url).toBe(`http://127.0.0.1:${api.port}/`);
    // the real port is now in the allow-list, the placeholder port is not
    const ok = await fetch(new URL('api/status', api.url));
    expect(ok.status).toBe(200);
    const status = (host: string) =>
      new Promise<number>((resolve, reject) =>
        get({ host: '127.0.0.1', port: api.port, path: '/api/status', headers: { host } }, (res) => resolve(res.resume().statusCode!)).on('error', reject),
      );
    expect(await status(`127.0.0.1:${api.port + 1}`)).toBe(421);
    expect(await status('127.0.0.1:8620')).toBe(421);
    expect(await status(`localhost:${api.port}`)).toBe(200);
  });
});
