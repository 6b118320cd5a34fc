import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../agent/cli/main.js';
import { Fixture, SITE } from '../web/support.js';

/** GET /report and /api/report through fastify inject, from a real agent whose real disk check has run. */

const fx = new Fixture();
afterEach(() => fx.close());

async function served() {
  const t = await fx.agent({ disk: { intervalSeconds: 3600 } });
  await t.agent.runNow();
  const api = await fx.injectable(t);
  const get = (url: string, headers: Record<string, string> = {}) => api.app.inject({ url, headers: { host: '127.0.0.1:8620', ...headers } });
  return { t, get };
}

describe('the report on the local page server', () => {
  it('serves this month so far as HTML with its own stylesheet (the page policy allows no inline style), and as JSON', async () => {
    const { t, get } = await served();
    const html = await get('/report');
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    expect(html.body).toContain('医保结算终端月度巡检报告');
    expect(html.body).toContain('<link rel="stylesheet" href="/report/style.css">');
    expect(html.body).not.toContain('<style>');
    expect(html.body).toContain('本月尚未结束');
    const css = await get('/report/style.css');
    expect(css.body).toContain('@page { size: A4;');
    const json = (await get('/api/report')).json();
    expect(json.month).toBe(t.agent.rollups.month);
    expect(json.complete).toBe(false);
    expect(json.checklist.find((i: any) => i.item.en === 'Disk space' && i.subject === '/')).toMatchObject({ result: expect.stringMatching(/pass|fail/) });
    expect(json.figures.find((f: any) => f.checkId === 'disk' && f.subject === '/').n).toBeGreaterThan(0);
  });

  it('the health page links it, and a link from another site may open it but not read the data', async () => {
    const { get } = await served();
    expect((await get('/')).body).toContain('<a id="report-link" href="/report"');
    const nav = { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' };
    expect((await get('/report?month=2026-01', nav)).statusCode).not.toBe(403);
    expect((await get('/api/report', { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'cors' })).statusCode).toBe(403);
    expect((await get('/report', { host: 'evil.example:8620' })).statusCode).toBe(421);
  });

  it('refuses a bad or future month in zh and en', async () => {
    const { get } = await served();
    const bad = await get('/report?month=2026-13');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ error: expect.stringMatching(/月份 "2026-13" 格式错误.* \/ --month "2026-13" is not a month/), code: 'bad_report_input' });
    expect((await get('/api/report?month=2999-01')).json().error).toMatch(/尚未开始.*has not begun yet/);
  });
});

describe('guardpost report and the running agent', () => {
  it('asks the running agent first (its figures so far), and reads the state directory when told --offline', async () => {
    const t = await fx.agent({ disk: { intervalSeconds: 3600 } });
    await t.agent.runNow();
    const api = await fx.page(t);
    // This config's state directory is empty: only the running agent can know the disk figures.
    const dir = fx.tempDir('gp-report-cli-');
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ site: SITE, agent: { id: t.config.agent.id }, checks: { disk: {} }, storage: { dir: join(dir, 'state') }, logging: { file: join(dir, 'cli.log') }, web: { port: api.port } }));
    let out = '';
    const io = { out: (s: string) => void (out += s), err: () => undefined, env: {} };
    expect(await main(['report', '--format', 'json', '--config', file], io)).toBe(0);
    expect((JSON.parse(out) as { figures: { checkId: string }[] }).figures.some((f) => f.checkId === 'disk')).toBe(true);
    out = '';
    expect(await main(['report', '--format', 'json', '--offline', '--config', file], io)).toBe(0);
    expect((JSON.parse(out) as { figures: unknown[] }).figures).toEqual([]);
  });
});
