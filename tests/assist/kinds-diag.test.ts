import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentDiagHost } from '../../agent/assist/kinds/diag/agent-host.js';
import { splitDiagAnswer, type DiagHeader } from '../../agent/assist/kinds/diag/header.js';
import { createKinds } from '../../agent/assist/kinds/registry.js';
import { assistRig, basePolicy, collect } from '../../agent/assist/kinds/test-support/assist-rig.js';
import { muxPair, type MuxPair } from '../../agent/assist/kinds/test-support/mux-pair.js';
import { builtinPlugins } from '../../agent/checks/all.js';
import { buildConfig } from '../../agent/core/config/load.js';
import { FaultCatalogue } from '../../agent/core/faults/catalogue.js';
import { createLogger } from '../../agent/core/logging/index.js';
import { Agent } from '../../agent/core/runtime/agent.js';
import { currentPlatform } from '../../agent/platform/index.js';

/*
 * The diag kind end to end: a real agent with cheap checks (a backup folder that is empty, the clock, a site log, a
 * settlement TCP endpoint on loopback), the real session layer and audit log, and a desk mux that opens diag
 * channels over a real WebSocket. Each action's answer is read as the desk reads it: header line, body, close reason.
 */
const SITE = { fixmedins_code: 'P44010600123', fixmedins_name: '示例大药房', mdtrtarea_admvs: '440106', terminalId: 'POS-01' };
const PROXY_SECRET = 'pr0xy-S3cret-value';

let dir: string;
let agent: Agent;
let logger: Logger;
let rig: Awaited<ReturnType<typeof assistRig>>;
let pair: MuxPair;
let endpoint: Server;
let session: string;
let siteLog: string;
let channelsOpened = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gp-diag-'));
  mkdirSync(join(dir, 'backups'));
  mkdirSync(join(dir, 'his'));
  siteLog = join(dir, 'his', 'app.log');
  writeFileSync(
    siteLog,
    [
      '2026-05-01 10:00:01 INFO start',
      '2026-05-01 10:00:02 ERROR login user=kiosk password=Hunter2! token: abc.def',
      '2026-05-01 10:00:03 INFO patient 11010519491231002X tel 13812345678 settled',
      '2026-05-01 10:00:04 INFO upstream http://gp:pw@10.0.0.9:8080/ ok',
      '',
    ].join('\n'),
  );
  endpoint = createServer((s) => s.end());
  await new Promise<void>((r) => endpoint.listen(0, '127.0.0.1', r));
  const port = (endpoint.address() as { port: number }).port;
  const checks = {
    backup: { directory: join(dir, 'backups'), raiseAfter: 1, intervalSeconds: 3600 },
    clock: { intervalSeconds: 3600 },
    'his-logs': { type: 'logs', paths: [join(dir, 'his', '*.log')], intervalSeconds: 3600 },
    settlement: {
      intervalSeconds: 3600,
      endpoints: [{ name: 'front', kind: 'tcp', host: '127.0.0.1', port }],
      proxy: { mode: 'config', url: 'http://10.0.0.1:3128', username: 'gp', password: { env: 'GP_TEST_PROXY_PW' }, noProxy: ['127.0.0.1'] },
    },
  };
  const platform = currentPlatform();
  const config = buildConfig({ site: SITE, checks, storage: { dir: join(dir, 'state') }, logging: { file: join(dir, 'agent.log') } }, 'test', {
    plugins: builtinPlugins,
    platform,
    faultCodes: new FaultCatalogue(builtinPlugins).codes(),
    env: { GP_TEST_PROXY_PW: PROXY_SECRET },
  });
  logger = createLogger({ level: 'info', file: join(dir, 'agent.log'), maxSizeMB: 5, maxFiles: 2, stdout: false });
  agent = await Agent.start({ config, plugins: builtinPlugins, platform, logger, version: 'test', historyFlushMs: 100 });
  logger.warn('retrying with password=hunter2 for 13912345678');
  rig = await assistRig(basePolicy(), (d) => createKinds({ diagHost: () => agentDiagHost(agent, { config, auditFile: rig.audit.file }), storageDir: d }));
  pair = await muxPair(rig.handler);
  session = rig.approved({ kinds: ['diag'] });
});

afterAll(async () => {
  await pair?.close();
  await agent?.stop(500);
  await rig?.close();
  await new Promise((r) => endpoint?.close(r));
});

/** Opens a diag channel for one action, reads the answer to the end. */
async function diag(action: string, args?: unknown, raw?: string): Promise<{ header: DiagHeader; body: Buffer; reason: string; bytes: number }> {
  const params: Record<string, string> = { action };
  if (raw !== undefined) params.args = raw;
  else if (args !== undefined) params.args = JSON.stringify(args);
  diagRecordsBefore = (await diagRecords()).length;
  const ch = await pair.desk.open({ kind: 'diag', session, params });
  channelsOpened++;
  const got = collect(ch);
  const reason = await got.closed;
  const all = got.bytes();
  return { ...splitDiagAnswer(all), reason, bytes: all.length };
}

const diagRecords = async () => (await rig.records()).filter((r) => r.kind === 'diag-action');
let diagRecordsBefore = 0;

/** The last action's audit record: written after its channel closed (it says whether the answer was delivered). */
async function lastDiagRecord(): Promise<Record<string, unknown>> {
  for (let i = 0; i < 100; i++) {
    const records = await diagRecords();
    if (records.length > diagRecordsBefore) return records.at(-1)!;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('no diag-action audit record within 5 s of the channel closing');
}

describe('diag actions on a real agent', () => {
  it('run-checks runs every check now and answers their results as JSON; the audit says how many failed', async () => {
    const a = await diag('run-checks');
    expect(a.header).toEqual({ ok: true, action: 'run-checks', contentType: 'application/json' });
    expect(a.reason).toBe('done');
    const body = JSON.parse(a.body.toString()) as { checks: { id: string; type: string; results: { status: string }[] }[] };
    expect(body.checks.map((c) => c.id).sort()).toEqual(['backup', 'clock', 'his-logs', 'settlement']);
    expect(body.checks.find((c) => c.id === 'backup')!.results.some((r) => r.status === 'fail')).toBe(true);
    expect(body.checks.find((c) => c.id === 'settlement')!.results.every((r) => r.status === 'ok')).toBe(true);
    // The results went through the fault engine like scheduled ones.
    expect(agent.status().faults.map((f) => f.code)).toContain('BACKUP_MISSING');
    expect(await lastDiagRecord()).toMatchObject({ session, engineer: '张工', action: 'run-checks', args: '{}', ok: true, summary: '4 checks, 1 failing', bytes: a.bytes });
  });

  it('run-checks of one check; an unknown check id is refused naming the known ones', async () => {
    const one = await diag('run-checks', { check: 'clock' });
    expect((JSON.parse(one.body.toString()) as { checks: { id: string }[] }).checks.map((c) => c.id)).toEqual(['clock']);
    const bad = await diag('run-checks', { check: 'printer' });
    expect(bad.reason).toBe('bad_params');
    expect(bad.header).toEqual({ ok: false, action: 'run-checks', error: 'args.check: unknown check "printer"; known: backup, clock, his-logs, settlement' });
    expect(bad.body.length).toBe(0);
    expect(await lastDiagRecord()).toMatchObject({ action: 'run-checks', ok: false, args: '{"check":"printer"}' });
  });

  it('unknown actions and bad arguments: accepted, an ok:false header saying what is wrong, closed bad_params', async () => {
    const cases: [string, unknown, string | undefined, string][] = [
      ['foo', undefined, undefined, 'unknown action "foo"; known: run-checks, status, tail-log, bundle, test-endpoint, rescan-devices'],
      ['tail-log', { log: 'agent', lines: 5000 }, undefined, 'args.lines: expected whole number 1..2000, got 5000'],
      ['tail-log', {}, undefined, 'args.log: missing; required ("agent", or "<logs check id>:<file>")'],
      ['status', { verbose: true }, undefined, 'args.verbose: unknown key "verbose"; known keys: '],
      ['status', undefined, '{"a":', 'args: not JSON'],
      ['status', undefined, '[1]', 'args: must be a JSON object'],
    ];
    for (const [action, args, raw, error] of cases) {
      const a = await diag(action, args, raw);
      expect(a.reason, action).toBe('bad_params');
      expect(a.header.ok).toBe(false);
      expect((a.header as { error: string }).error.startsWith(error), `${(a.header as { error: string }).error} / ${error}`).toBe(true);
    }
    const missing = await pair.desk.open({ kind: 'diag', session, params: { args: '{}' } }).then(collect);
    channelsOpened++;
    expect(await missing.closed).toBe('bad_params');
    expect(splitDiagAnswer(missing.bytes()).header).toMatchObject({ ok: false, error: expect.stringMatching(/^params\.action: missing; required/) });
  });

  it("status answers the agent's status snapshot", async () => {
    const a = await diag('status');
    const s = JSON.parse(a.body.toString()) as { agent: { id: string }; checks: unknown[] };
    expect(s.agent.id).toBe('P44010600123-POS-01');
    expect(s.checks).toHaveLength(4);
    expect(await lastDiagRecord()).toMatchObject({ action: 'status', ok: true, summary: expect.stringMatching(/^overall (ok|degraded|down), \d+ active fault/) });
  });

  it('tail-log reads the end of the agent log and of a logs check file, secrets and personal data redacted', async () => {
    const own = await diag('tail-log', { log: 'agent', lines: 50 });
    expect(own.header).toEqual({ ok: true, action: 'tail-log', contentType: 'text/plain' });
    const text = own.body.toString();
    expect(text).toContain('retrying with password=[redacted] for [redacted-mobile]');
    expect(text).not.toMatch(/hunter2|13912345678/);

    const site = await diag('tail-log', { log: `his-logs:${siteLog}`, lines: 3 });
    expect(site.body.toString().split('\n')).toEqual([
      '2026-05-01 10:00:02 ERROR login user=kiosk password=[redacted] token: [redacted]',
      '2026-05-01 10:00:03 INFO patient [redacted-id] tel [redacted-mobile] settled',
      '2026-05-01 10:00:04 INFO upstream http://***@10.0.0.9:8080/ ok',
      '',
    ]);
    expect(await lastDiagRecord()).toMatchObject({ action: 'tail-log', ok: true, summary: `tail 3 lines of his-logs:${siteLog}` });

    const unknown = await diag('tail-log', { log: '/etc/shadow' });
    expect(unknown.reason).toBe('bad_params');
    expect(unknown.header).toMatchObject({ error: `args.log: unknown log "/etc/shadow"; known: agent, his-logs:${siteLog}` });
  });

  it('bundle is a tar.gz Debian tar lists and extracts: logs redacted, config with secrets described, versions, history, faults, audit tail', async () => {
    await diag('run-checks'); // faults and history to show
    const a = await diag('bundle');
    expect(a.reason).toBe('done');
    expect(a.header).toMatchObject({ ok: true, action: 'bundle', contentType: 'application/gzip', fileName: expect.stringMatching(/^guardpost-P44010600123-POS-01-\d{8}T\d{6}Z\.tar\.gz$/) });
    const out = mkdtempSync(join(tmpdir(), 'gp-bundle-'));
    const file = join(out, (a.header as { fileName: string }).fileName);
    writeFileSync(file, a.body);
    const top = (a.header as { fileName: string }).fileName.replace(/\.tar\.gz$/, '');
    const listed = execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).trim().split('\n');
    expect(listed).toEqual(
      expect.arrayContaining([`${top}/`, `${top}/versions.json`, `${top}/config.json`, `${top}/status.json`, `${top}/history.json`, `${top}/faults.json`, `${top}/logs/agent.log`, `${top}/audit-tail.jsonl`]),
    );
    execFileSync('tar', ['-xzf', file, '-C', out]);
    const read = (name: string) => readFileSync(join(out, top, name), 'utf8');
    const config = JSON.parse(read('config.json')) as { config: { checks: { id: string; settings: { proxy: { password: string } } }[] }; secrets: unknown[] };
    expect(config.secrets).toEqual([{ path: 'checks[3].settings.proxy.password', source: 'env GP_TEST_PROXY_PW' }]);
    expect(config.config.checks.find((c) => c.id === 'settlement')!.settings.proxy.password).toBe('[secret from env GP_TEST_PROXY_PW; not shown]');
    const versions = JSON.parse(read('versions.json')) as { agent: string; node: string; os: { platform: string }; modules: Record<string, string> };
    expect(versions).toMatchObject({ agent: 'test', node: process.version, os: { platform: process.platform } });
    expect(versions.modules.ws).toMatch(/^\d+\.\d+\.\d+/);
    expect(JSON.parse(read('faults.json')).active.map((f: { code: string }) => f.code)).toContain('BACKUP_MISSING');
    expect(Object.keys(JSON.parse(read('history.json')))).toEqual(expect.arrayContaining(['backup', 'clock']));
    expect(read('logs/agent.log')).toContain('password=[redacted] for [redacted-mobile]');
    const auditTail = read('audit-tail.jsonl').trim().split('\n');
    expect(JSON.parse(auditTail.at(-1)!)).toMatchObject({ kind: 'diag-action', action: 'run-checks' });
    // Nothing secret anywhere in the bundle.
    const everything = listed.filter((n) => !n.endsWith('/')).map((n) => readFileSync(join(out, n), 'utf8')).join('\n');
    for (const secret of [PROXY_SECRET, 'hunter2', '13912345678']) expect(everything).not.toContain(secret);
    expect(statSync(file).size).toBe(a.body.length);
    expect(await lastDiagRecord()).toMatchObject({ action: 'bundle', ok: true, summary: expect.stringMatching(/^bundle \d+ KB, \d+ entries$/), bytes: a.bytes });
  });

  it('test-endpoint runs one settlement or certserver check; other checks are refused naming those that qualify', async () => {
    const a = await diag('test-endpoint', { check: 'settlement' });
    const body = JSON.parse(a.body.toString()) as { checks: { id: string; results: { subject: string; status: string; phases: Record<string, number> }[] }[] };
    expect(body.checks[0]).toMatchObject({ id: 'settlement', results: [expect.objectContaining({ subject: 'front', status: 'ok' })] });
    expect(Object.keys(body.checks[0]!.results[0]!.phases)).toContain('connect');
    const wrong = await diag('test-endpoint', { check: 'backup' });
    expect(wrong.reason).toBe('bad_params');
    expect(wrong.header).toMatchObject({ error: 'args.check: "backup" is a backup check; test-endpoint runs settlement and certserver checks: settlement' });
  });

  it('rescan-devices runs the reader and token checks: none here, an empty answer', async () => {
    const a = await diag('rescan-devices');
    expect(JSON.parse(a.body.toString())).toEqual({ checks: [] });
    expect(await lastDiagRecord()).toMatchObject({ action: 'rescan-devices', ok: true, summary: '0 checks, 0 failing' });
  });

  it('report answers the monthly inspection report of the terminal, as HTML or JSON; a bad month is refused in zh and en', async () => {
    const month = agent.rollups.month;
    const html = await diag('report');
    expect(html.header).toEqual({ ok: true, action: 'report', contentType: 'text/html', fileName: `guardpost-report-P44010600123-${month}.html` });
    expect(html.body.toString()).toContain('医保结算终端月度巡检报告');
    expect(html.body.toString()).toContain('数据备份');
    const data = await diag('report', { month, format: 'json' });
    const r = JSON.parse(data.body.toString()) as { month: string; checklist: { item: { en: string }; result: string }[] };
    expect(r.month).toBe(month);
    expect(r.checklist.find((i) => i.item.en === 'Backups')!.result).toBe('fail'); // the empty backup folder
    expect(await lastDiagRecord()).toMatchObject({ action: 'report', ok: true, summary: expect.stringMatching(new RegExp(`^report ${month}: \\d+ pass, \\d+ fail`)) });
    const future = await diag('report', { month: '2999-01' });
    expect(future.reason).toBe('bad_params');
    expect((future.header as { error: string }).error).toMatch(/args\.month: 月份 2999-01 尚未开始.*has not begun yet/);
    expect((await diag('report', { month: '2026-13' })).header.ok).toBe(false);
  });

  it('the audit log stays an intact chain with one diag-action per channel', async () => {
    await lastDiagRecord(); // the last channel's record follows its close
    const records = await rig.records(); // throws unless verifyAudit finds the chain intact
    expect(records.filter((r) => r.kind === 'diag-action').length).toBe(channelsOpened);
    for (const r of records.filter((x) => x.kind === 'diag-action')) {
      expect(Object.keys(r)).toEqual(expect.arrayContaining(['session', 'engineer', 'action', 'args', 'ok', 'summary', 'bytes']));
    }
  });
});
