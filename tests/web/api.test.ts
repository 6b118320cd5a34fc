import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConsentBroker } from '../../agent/web/consent-broker.js';
import { Fixture, pageHeaders, RecordingLogger } from './support.js';

/** The JSON API, metrics and page routes through fastify inject, against a real agent with real checks. */

const fx = new Fixture();
afterEach(() => fx.close());

/** An agent whose backup check fails (empty temp dir): BACKUP_MISSING, critical, opened at the first run. */
async function failingBackup(opts: { logger?: RecordingLogger; consent?: ConsentBroker } = {}) {
  const backups = fx.tempDir('gp-web-backups-');
  const t = await fx.agent({ backup: { directory: backups, pattern: '*.bak', raiseAfter: 1, clearAfter: 1, intervalSeconds: 3600 }, clock: {} });
  await t.agent.runNow();
  const api = await fx.injectable(t, opts);
  return { t, api, backups, get: (url: string) => api.app.inject({ url, headers: { host: '127.0.0.1:8620' } }) };
}

const volatile = (s: any) => ({ ...s, agent: { ...s.agent, uptimeSeconds: 0 }, process: null });

describe('JSON API', () => {
  it('GET /api/status is the agent status, nothing lost through the response schema', async () => {
    const { t, get } = await failingBackup();
    const res = await get('/api/status');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = res.json();
    expect(volatile(body)).toEqual(volatile(JSON.parse(JSON.stringify(t.agent.status()))));
    expect(body.overall).toBe('down');
    expect(body.overallText.zh).toBe('无法结算');
    expect(body.faults[0]).toMatchObject({ code: 'BACKUP_MISSING', severity: 'critical', state: 'open' });
  });

  it('GET /api/faults adds what the operator can do (catalogue) and whether the desk has it', async () => {
    const { t, get } = await failingBackup();
    const fault = async () => (await get('/api/faults')).json().faults.find((f: any) => f.code === 'BACKUP_MISSING');
    const first = await fault();
    expect(first.operator).toEqual(t.agent.catalogue.get('BACKUP_MISSING')!.operator);
    expect(first.delivery).toBe('no-desk');
    const opened = t.agent.store.pendingTransitions().find((x) => x.kind === 'opened' && x.fault.code === 'BACKUP_MISSING')!;
    expect(first.openedSeq).toBe(opened.seq);

    let tunnel: any = { state: 'connected', ackedSeq: opened.seq - 1, lastContactAt: new Date().toISOString() };
    t.agent.setTunnelStatus(() => tunnel);
    expect((await fault()).delivery).toBe('waiting');
    tunnel = { ...tunnel, ackedSeq: opened.seq };
    await t.agent.store.ackUpTo(opened.seq); // acked transitions leave the outbox; the page still knows the seq
    expect(t.agent.store.pendingTransitions().some((x) => x.seq === opened.seq)).toBe(false);
    expect(await fault()).toMatchObject({ delivery: 'received', openedSeq: opened.seq });
    await t.agent.acknowledge(first.id, 'desk: 李工');
    expect(await fault()).toMatchObject({ delivery: 'acknowledged', acknowledgedBy: 'desk: 李工', state: 'acknowledged' });
  });

  it('GET /api/history keeps the last transitions newest first, also after the desk acked them', async () => {
    const { t, get, backups } = await failingBackup();
    writeFileSync(join(backups, 'his.bak'), 'backup');
    await t.agent.runNow(['backup']);
    await t.agent.store.ackUpTo(t.agent.store.lastSeq);
    expect(t.agent.store.pendingTransitions()).toHaveLength(0);
    const list = (await get('/api/history')).json().transitions;
    expect(list.map((e: any) => [e.kind, e.code])).toEqual([
      ['resolved', 'BACKUP_MISSING'],
      ['opened', 'BACKUP_MISSING'],
    ]);
    expect(list[0].seq).toBeGreaterThan(list[1].seq);
    expect((await get('/api/history?limit=1')).json().transitions).toHaveLength(1);
    for (const bad of ['limit=0', 'limit=51', 'limit=x', 'since=1']) expect((await get(`/api/history?${bad}`)).statusCode, bad).toBe(400);
  });

  it('GET /api/checks has titles, state and the last results', async () => {
    const { get } = await failingBackup();
    const { checks, run } = (await get('/api/checks')).json();
    expect(run).toEqual({ running: false });
    const backup = checks.find((c: any) => c.id === 'backup');
    expect(backup).toMatchObject({ title: { zh: '数据备份', en: 'Backups' }, state: 'fail' });
    expect(backup.results[0]).toMatchObject({ status: 'fail', reason: 'no_match' });
    expect(checks.find((c: any) => c.id === 'clock').state).toBe('ok');
  });

  it('POST /api/checks/run runs the checks (answers 202 at once) and refuses unknown ids and keys', async () => {
    const { t, api } = await failingBackup();
    const before = t.agent.status().checks.find((c) => c.id === 'clock')!.lastRunAt!;
    const post = (payload: unknown) => api.app.inject({ method: 'POST', url: '/api/checks/run', headers: pageHeaders(api.ctx.csrfToken), payload: payload as object });
    const ran = new Promise<string>((resolve) => t.agent.events.once('results', (id) => resolve(id)));
    const res = await post({ checks: ['clock'] });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ started: true, checks: ['clock'], run: { running: true } });
    expect(await ran).toBe('clock');
    expect(t.agent.status().checks.find((c) => c.id === 'clock')!.lastRunAt! > before).toBe(true);
    const unknown = await post({ checks: ['nosuch'] });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error).toContain('unknown check id(s): nosuch; known: backup, clock');
    expect((await post({ checks: ['clock'], force: true })).statusCode).toBe(400);
  });

  it('GET /api/diagnostics is a plain-text summary in the asked language, without secrets', async () => {
    const secret = 'Pr0xy-Secr3t-Value';
    const backups = fx.tempDir();
    const t = await fx.agent(
      { backup: { directory: backups, raiseAfter: 1 } },
      { extra: { desk: { proxy: { url: 'http://127.0.0.1:3128', username: 'gp', password: { env: 'GP_WEB_TEST_PW' } } } }, env: { GP_WEB_TEST_PW: secret } },
    );
    await t.agent.runNow();
    const api = await fx.injectable(t);
    const get = (url: string) => api.app.inject({ url, headers: { host: 'localhost:8620' } });
    const zh = await get('/api/diagnostics');
    expect(zh.headers['content-type']).toMatch(/^text\/plain/);
    expect(zh.body).toContain('示例大药房（天河店） P44010600123');
    expect(zh.body).toContain('总体状态: 无法结算');
    expect(zh.body).toContain('BACKUP_MISSING 找不到备份');
    expect(zh.body).toContain('未配置服务台');
    const en = await get('/api/diagnostics?lang=en');
    expect(en.body).toContain('Overall: Settlement is not possible');
    expect(en.body).not.toMatch(/[\u4e00-\u9fff]{2}：/);
    expect((await get('/api/diagnostics?lang=fr')).statusCode).toBe(400);
    for (const url of ['/api/diagnostics', '/api/status', '/api/snapshot', '/metrics', '/api/faults']) expect((await get(url)).body, url).not.toContain(secret);
  });

  it('GET /api/snapshot is the whole page state in one document', async () => {
    const { api, get } = await failingBackup();
    const snap = (await get('/api/snapshot')).json();
    expect(snap.instance).toBe(api.ctx.instance);
    expect(Object.keys(snap).sort()).toEqual(['checks', 'consent', 'faults', 'generatedAt', 'history', 'instance', 'rev', 'run', 'status'].sort());
    expect(snap.status.faults).toBeUndefined(); // the views carry them
    expect(snap.faults[0].operator.zh.length).toBeGreaterThan(5);
    expect(snap.consent).toEqual({ live: null, recent: [] });
    expect((await get('/api/snapshot')).json().rev).toBe(snap.rev + 1);
  });
});

describe('metrics', () => {
  it('GET /metrics is Prometheus text with checks, phases, faults by severity, outbox, tunnel and process', async () => {
    const { t, get } = await failingBackup();
    const res = await get('/metrics');
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const lines = res.body.trim().split('\n');
    for (const l of lines) expect(l, 'exposition line').toMatch(/^(# (HELP|TYPE) [a-z_]+ .+|[a-z_]+(\{([a-z_]+="([^"\\]|\\.)*",?)*\})? (-?[0-9.e+-]+|NaN))$/);
    const value = (name: string, labels = '') => {
      const line = lines.find((l) => l.startsWith(`${name}${labels ? `{${labels}` : ' '}`));
      return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
    };
    expect(value('guardpost_overall_state')).toBe(2);
    expect(value('guardpost_check_up', 'check="backup"')).toBe(0);
    expect(value('guardpost_check_up', 'check="clock"')).toBe(1);
    expect(value('guardpost_faults_open', 'severity="critical",state="open"')).toBe(1);
    expect(value('guardpost_faults_open', 'severity="major",state="open"')).toBe(0);
    expect(value('guardpost_outbox_depth')).toBe(t.agent.store.pendingTransitions().length);
    expect(value('guardpost_tunnel_up')).toBe(0);
    expect(value('guardpost_tunnel_state', 'state="disabled"')).toBe(1);
    expect(value('process_resident_memory_bytes')).toBeGreaterThan(10e6);
    expect(value('process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(res.body).toContain('# TYPE guardpost_check_phase_duration_seconds gauge');
  });
});

describe('consent endpoints', () => {
  const purpose = { zh: '读卡器无法识别，需检查驱动', en: 'reader not recognised; check the driver' };

  it('the page approves, then ends a session; decisions are recorded and logged as the local page', async () => {
    const consent = new ConsentBroker();
    const logger = new RecordingLogger();
    const { api, get } = await failingBackup({ consent, logger });
    const session = consent.request({ engineer: '王工', organisation: '维保中心', ticket: 'T-1001', purpose, capabilities: ['view', 'terminal'] });
    expect((await get('/api/consent')).json().live).toMatchObject({ id: session.id, state: 'pending', engineer: '王工' });
    const post = (action: string, id = session.id) => api.app.inject({ method: 'POST', url: `/api/consent/${id}/${action}`, headers: pageHeaders(api.ctx.csrfToken), payload: {} });
    const approved = await post('approve');
    expect(approved.statusCode).toBe(200);
    expect(approved.json()).toMatchObject({ state: 'active', decidedBy: 'local-page' });
    expect((await post('approve')).statusCode).toBe(409);
    const ended = await post('end');
    expect(ended.json()).toMatchObject({ state: 'ended', endedBy: 'local-page' });
    expect((await get('/api/consent')).json()).toMatchObject({ live: null, recent: [{ id: session.id, state: 'ended' }] });
    expect(logger.lines.filter((l) => l.msg.startsWith('remote assistance')).map((l) => l.msg)).toEqual([
      'remote assistance pending',
      'remote assistance active',
      'remote assistance ended',
    ]);
    expect((await post('approve', '00000000-0000-0000-0000-000000000000')).statusCode).toBe(404);
    expect((await post('approve', 'not-a-uuid')).statusCode).toBe(400);
  });

  it('deny closes the prompt', async () => {
    const consent = new ConsentBroker();
    const { api } = await failingBackup({ consent });
    const s = consent.request({ engineer: '王工', purpose, capabilities: ['files'] });
    const res = await api.app.inject({ method: 'POST', url: `/api/consent/${s.id}/deny`, headers: pageHeaders(api.ctx.csrfToken), payload: { reason: '正在结算' } });
    expect(res.json()).toMatchObject({ state: 'denied', decidedBy: 'local-page', reason: '正在结算' });
    expect(consent.live()).toBeUndefined();
  });
});

describe('page and static files', () => {
  it('GET / embeds this start’s token and loads only same-origin scripts, no inline code', async () => {
    const { api, get } = await failingBackup();
    const res = await get('/');
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain(`<meta name="guardpost-csrf" content="${api.ctx.csrfToken}">`);
    expect(res.body).toContain(`<meta name="guardpost-instance" content="${api.ctx.instance}">`);
    expect(res.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    expect(res.body).not.toMatch(/\son[a-z]+=/); // no inline handlers
    expect(res.body).not.toMatch(/https?:\/\/(?!www\.w3\.org)/); // nothing from the internet
    for (const [file, type] of [['app.js', 'text/javascript'], ['render.js', 'text/javascript'], ['i18n.js', 'text/javascript'], ['legacy.js', 'text/javascript'], ['style.css', 'text/css'], ['icon.svg', 'image/svg\\+xml']]) {
      const a = await get(`/static/${file}`);
      expect(a.statusCode, file).toBe(200);
      expect(a.headers['content-type'], file).toMatch(new RegExp(`^${type}`));
      expect(a.body, file).not.toMatch(/innerHTML|eval\(|new Function/);
      const again = await api.app.inject({ url: `/static/${file}`, headers: { host: '127.0.0.1:8620', 'if-none-match': String(a.headers.etag) } });
      expect(again.statusCode, file).toBe(304);
    }
    expect((await get('/static/nope.js')).statusCode).toBe(404);
    expect((await get('/static/..%2Fpackage.json')).statusCode).toBe(400);
  });
});
