import { createServer, request, type Server } from 'node:http';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsentBroker } from '../../agent/web/consent-broker.js';
import { launchChromium } from './browser.js';
import { Fixture, RecordingLogger, until } from './support.js';

/**
 * Another origin in the same browser attacks the page: an "attacker" page served from a second loopback server on
 * another port, and a DNS-rebinding name that resolves to 127.0.0.1. Neither may approve a session, trigger checks
 * or read anything; the agent's own page, in the same browser, still can.
 */

const fx = new Fixture();
let browser: Browser;
let attacker: Server;
let proxy: Server;
let proxyPort = 0;

/** An HTTP proxy that forwards everything but the Sec-Fetch-* headers: what a browser without Fetch Metadata sends. */
function startStrippingProxy(): Promise<void> {
  proxy = createServer((req, res) => {
    const url = new URL(req.url!);
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !k.startsWith('sec-fetch-') && k !== 'proxy-connection'));
    const upstream = request({ host: url.hostname, port: url.port, method: req.method, path: url.pathname + url.search, headers }, (up) => {
      res.writeHead(up.statusCode!, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  return new Promise((r) => proxy.listen(0, '127.0.0.1', () => r(void (proxyPort = (proxy.address() as { port: number }).port))));
}

beforeAll(async () => {
  // rebind.test plays an attacker's domain whose DNS now answers 127.0.0.1
  browser = await launchChromium(['--host-resolver-rules=MAP rebind.test 127.0.0.1']);
  await startStrippingProxy();
});
afterAll(async () => {
  await browser?.close();
  attacker?.close();
  proxy?.close();
  await fx.close();
});

/** The attacker's page: every trick at once, each reporting what it could see. */
function attackPage(target: string, sessionId: string, leakedCliToken: string): string {
  return `<!doctype html><html><body>
<iframe name="sink" id="sink"></iframe>
<iframe id="framed" src="${target}/"></iframe>
<form id="f1" method="POST" action="${target}/api/consent/${sessionId}/approve" enctype="text/plain" target="sink"><input name='{"a":"' value='"}'></form>
<form id="f2" method="POST" action="${target}/api/checks/run" target="sink"><input name="checks" value="clock"></form>
<script>
const results = {};
const attempt = async (name, fn) => { try { results[name] = await fn(); } catch (e) { results[name] = 'error: ' + e.name; } };
(async () => {
  await attempt('runNoCors', () => fetch('${target}/api/checks/run', { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: '{}' }).then(r => 'opaque ' + r.type));
  await attempt('approveNoCors', () => fetch('${target}/api/consent/${sessionId}/approve', { method: 'POST', mode: 'no-cors', body: '{}' }).then(r => 'opaque ' + r.type));
  await attempt('approveWithGuessedToken', () => fetch('${target}/api/consent/${sessionId}/approve', { method: 'POST', headers: { 'content-type': 'application/json', 'x-guardpost-csrf': 'guess' }, body: '{}' }).then(r => r.status));
  // Even the CLI's token (were it ever leaked) is no use to a page: its custom header needs a preflight no route grants.
  await attempt('approveWithLeakedCliToken', () => fetch('${target}/api/consent/${sessionId}/approve', { method: 'POST', headers: { 'content-type': 'application/json', 'x-guardpost-cli-token': '${leakedCliToken}' }, body: '{}' }).then(r => r.status));
  await attempt('readStatus', () => fetch('${target}/api/status').then(r => r.text()));
  await attempt('readPageForToken', () => fetch('${target}/').then(r => r.text()));
  await attempt('stream', () => new Promise(res => { const es = new EventSource('${target}/events'); es.onmessage = () => res('message'); es.addEventListener('state', () => res('state read')); es.onerror = () => { es.close(); res('error'); }; }));
  await attempt('scriptInclude', () => new Promise(res => { const s = document.createElement('script'); s.src = '${target}/api/status'; s.onload = () => res('loaded'); s.onerror = () => res('blocked'); document.body.appendChild(s); }));
  await attempt('framedContent', () => new Promise(res => setTimeout(() => { try { res(String(document.getElementById('framed').contentDocument?.body?.innerText ?? 'no access')); } catch (e) { res('no access'); } }, 300)));
  document.getElementById('f1').submit();
  await new Promise(r => setTimeout(r, 300));
  document.getElementById('f2').submit();
  await new Promise(r => setTimeout(r, 300));
  window.done = results;
})();
</script></body></html>`;
}

describe('a page from another origin in the same browser', () => {
  it('cannot approve a session, trigger checks or read the page; the page itself still can', async () => {
    const logger = new RecordingLogger();
    const consent = new ConsentBroker();
    const t = await fx.agent({ clock: {} });
    await t.agent.runNow();
    const api = await fx.page(t, { consent, logger });
    const target = api.url.replace(/\/$/, '');
    const session = consent.request({ engineer: '冒充者', purpose: { zh: '测试', en: 'test' }, capabilities: ['terminal'] });

    attacker = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(attackPage(target, session.id, api.ctx.cliToken)));
    await new Promise<void>((r) => attacker.listen(0, '127.0.0.1', r));
    const attackerUrl = `http://127.0.0.1:${(attacker.address() as { port: number }).port}/`;

    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(attackerUrl);
    const results = (await page.waitForFunction('window.done', null, { timeout: 15_000 }).then((h) => h.jsonValue())) as Record<string, string>;

    expect(results.readStatus).toBe('error: TypeError'); // no CORS: unreadable
    expect(results.readPageForToken).toBe('error: TypeError');
    expect(results.approveWithGuessedToken).toBe('error: TypeError'); // preflight not granted
    expect(results.approveWithLeakedCliToken).toBe('error: TypeError');
    expect(results.stream).toBe('error');
    expect(results.scriptInclude).toBe('blocked');
    expect(results.framedContent).toBe('no access');
    // Blind no-cors POSTs are sent (the server refuses them, see below); even their opaque answers are withheld (CORP).
    expect(results.runNoCors).toBe('error: TypeError');
    expect(results.approveNoCors).toBe('error: TypeError');

    expect(consent.get(session.id)?.state).toBe('pending');
    expect(api.ctx.manualRun.startedAt).toBeUndefined(); // the page's run button is the only way to runNow
    const refusals = logger.lines.filter((l) => l.msg === 'local page: request refused').map((l) => l.obj as { method: string; url: string; code: string });
    // the blind fetches and both form posts reached the server and were refused there, as was every read
    const posts = refusals.filter((r) => r.method === 'POST');
    expect(posts.filter((r) => r.url === '/api/checks/run')).toHaveLength(2);
    expect(posts.filter((r) => r.url === `/api/consent/${session.id}/approve`)).toHaveLength(2);
    expect(refusals.filter((r) => r.method === 'GET').map((r) => r.url)).toEqual(expect.arrayContaining(['/api/status', '/', '/events']));
    expect(new Set(refusals.map((r) => r.code))).toEqual(new Set(['cross_site']));

    // An older browser sends no Fetch Metadata: then the Origin check and the token must stop the same attacks.
    // Chromium always sends it, so a proxy in front of the agent drops those headers (and nothing else).
    const oldBrowser = await launchChromium([`--proxy-server=http://127.0.0.1:${proxyPort}`, '--proxy-bypass-list=<-loopback>']);
    try {
      const oldPage = await oldBrowser.newPage();
      logger.lines.length = 0;
      await oldPage.goto(attackerUrl);
      const oldResults = (await oldPage.waitForFunction('window.done', null, { timeout: 15_000 }).then((h) => h.jsonValue())) as Record<string, string>;
      expect(oldResults.readStatus).toBe('error: TypeError');
      expect(oldResults.readPageForToken).toBe('error: TypeError');
      expect(oldResults.stream).toBe('error');
      const oldRefusals = logger.lines.filter((l) => l.msg === 'local page: request refused').map((l) => l.obj as { method: string; url: string; code: string; fetchSite: string | null });
      expect(oldRefusals.every((r) => r.fetchSite === null)).toBe(true);
      expect(oldRefusals.filter((r) => r.method === 'POST').map((r) => r.code)).toEqual(['bad_origin', 'bad_origin', 'bad_origin', 'bad_origin']);
      // The reads carry the attacker's Origin too: refused at the server, so the stream never took a slot.
      const oldReads = oldRefusals.filter((r) => r.method === 'GET');
      expect(oldReads.map((r) => r.url)).toEqual(expect.arrayContaining(['/api/status', '/', '/events']));
      expect(new Set(oldReads.map((r) => r.code))).toEqual(new Set(['bad_origin']));
      expect(consent.get(session.id)?.state).toBe('pending');
      expect(api.ctx.manualRun.startedAt).toBeUndefined();
    } finally {
      await oldBrowser.close();
    }

    // the frame did not render the page (frame-ancestors 'none' / X-Frame-Options)
    const frame = page.frames().find((f) => f.url().startsWith(target));
    const framedText = frame ? await frame.locator('body').innerText({ timeout: 1000 }).catch(() => '') : '';
    expect(framedText).not.toContain('立即检查');

    // control: the agent's own page in the same browser can do both
    const own = await context.newPage();
    await own.goto(api.url);
    await own.waitForSelector('#consent-prompt:not([hidden])');
    await own.click('#consent-approve');
    await until('approval from the real page', () => consent.get(session.id)?.state === 'active');
    await own.click('#run-checks');
    await until('a run from the real page', () => api.ctx.manualRun.finishedAt, 10_000);
    await context.close();
  });

  it('a DNS-rebinding name for 127.0.0.1 gets nothing: wrong Host, refused before any route', async () => {
    const consent = new ConsentBroker();
    const t = await fx.agent({ clock: {} });
    const api = await fx.page(t, { consent });
    const session = consent.request({ engineer: '冒充者', purpose: { zh: '测试', en: 'test' }, capabilities: ['view'] });
    const context = await browser.newContext();
    const page = await context.newPage();
    const res = await page.goto(`http://rebind.test:${api.port}/`);
    expect(res?.status()).toBe(421);
    expect(await page.content()).not.toContain(api.ctx.csrfToken);
    // same-origin from the browser's view now, so it may read responses: they are all refusals
    const seen = await page.evaluate(async (id) => {
      const post = (url: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).then((r) => r.status);
      return {
        status: await fetch('/api/status').then((r) => r.status),
        events: await fetch('/events').then((r) => r.status),
        approve: await post(`/api/consent/${id}/approve`),
        run: await post('/api/checks/run'),
      };
    }, session.id);
    expect(seen).toEqual({ status: 421, events: 421, approve: 421, run: 421 });
    expect(consent.get(session.id)?.state).toBe('pending');
    expect(api.ctx.manualRun.startedAt).toBeUndefined();
    await context.close();
  });
});
