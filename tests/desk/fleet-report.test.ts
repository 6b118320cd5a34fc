import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../agent/cli/main.js';
import type { CliIO } from '../../agent/cli/io.js';
import { fleetCsv } from '../../desk/client/fleet-render.js';
import { compliance, fleetSummary } from '../../desk/fleet-report.js';
import type { ServiceFigure } from '../../desk/service-report.js';
import type { AgentRow } from '../../desk/store/types.js';
import { agentDeskConfig, initTestDesk, startAgent, startDesk, waitFor } from './support/harness.js';

const T = Date.parse('2026-12-10T02:00:00Z');
const H = 3600;
function fig(id: string, over: Partial<ServiceFigure> = {}): ServiceFigure {
  return {
    id, agentId: 'A-1', siteCode: 'S1', code: 'READER_LINK_ERRORS', severity: 'minor', detectedAt: new Date(T).toISOString(), receiptSeconds: 1,
    responseSeconds: 60, respond: 'met', resolveSeconds: H, resolveTargetHours: null, resolve: 'n/a', resolvedInferred: false, ...over,
  };
}
type Brief = NonNullable<NonNullable<AgentRow['health']>['inspection']>[number];
function agent(id: string, siteCode: string, lastSeen: string | null, inspection?: Brief[]): AgentRow {
  const health = inspection ? ({ inspection } as AgentRow['health']) : null; // only the part the fleet summary reads
  return { id, siteCode, siteName: siteCode, admvs: '440106', terminalId: id, profile: 'terminal', version: 't', online: false, connectedAt: null, disconnectedAt: null, disconnectReason: null, lastSeen, lastSeq: 0, health, healthAt: null, openFaults: { critical: 0, major: 0, minor: 0 }, limited: null };
}
const brief = (month: string, pass: number, failed: string[]): Brief => ({ month, complete: true, pass, fail: failed.length, na: 1, failed });

describe('fleet summary', () => {
  it('counts the contract figures at their limits, per site, with the worst terminals, codes against last month and silent agents', () => {
    const now = new Date(T + 30 * 24 * H * 1000);
    const figures = [
      fig('a', { responseSeconds: 600, resolveSeconds: 2 * H }),
      fig('b', { respond: 'missed', responseSeconds: 601, resolveSeconds: 2 * H + 1 }),
      fig('c', { agentId: 'A-2', siteCode: 'S2', severity: 'critical', code: 'PLATFORM_UNREACHABLE', resolve: 'missed', resolveSeconds: 12 * H + 1, resolveTargetHours: 12 }),
      fig('d', { agentId: 'A-2', siteCode: 'S2', severity: 'major', code: 'PLATFORM_UNREACHABLE', respond: 'not-needed', responseSeconds: null, resolve: 'met', resolveSeconds: 24 * H, resolveTargetHours: 24 }),
    ];
    const from = '2026-11-30T16:00:00.000Z';
    const agents = [
      agent('A-1', 'S1', '2026-12-20T00:00:00Z', [brief('2027-01', 9, []), brief('2026-12', 8, ['Disk space: /var'])]),
      agent('A-2', 'S2', '2026-12-20T00:00:00Z', [brief('2026-12', 7, ['Settlement connectivity: ybj', 'Backups: /b/*.bak'])]),
      agent('A-3', 'S2', '2026-11-29T00:00:00Z', [brief('2026-11', 9, [])]), // last month's only: no December data
      agent('A-4', 'S1', null),
    ];
    const f = fleetSummary(figures, [fig('p', { code: 'PLATFORM_UNREACHABLE' })], agents, { month: '2026-12', from }, now);
    expect(f.inspections.map((i) => [i.agentId, i.pass, i.fail])).toEqual([['A-2', 7, 2], ['A-1', 8, 1]]);
    expect(f.noInspection.map((a) => a.agentId)).toEqual(['A-3', 'A-4']);
    expect(f.sites.map((s) => s.inspection)).toEqual([{ passed: 8, failed: 1, terminalsFailing: 1 }, { passed: 7, failed: 2, terminalsFailing: 1 }]);
    expect(f.compliance).toEqual({ faults: 4, respondedInTime: 75, criticalInTime: 0, majorInTime: 100, fixedWithin2h: 25, fixedWithin4h: 50 });
    expect(f.previous.faults).toBe(1);
    expect(f.sites.map((s) => [s.siteCode, s.agents, s.compliance.faults, s.compliance.respondedInTime])).toEqual([['S1', 2, 2, 50], ['S2', 2, 2, 100]]);
    expect(f.worstAgents.map((a) => a.agentId)).toEqual(['A-2', 'A-1']); // a critical weighs most
    expect(f.byCode).toEqual([{ code: 'PLATFORM_UNREACHABLE', faults: 2, previous: 1 }, { code: 'READER_LINK_ERRORS', faults: 2, previous: 0 }]);
    expect(f.silentAgents).toEqual([{ agentId: 'A-3', siteCode: 'S2', lastSeen: '2026-11-29T00:00:00Z' }, { agentId: 'A-4', siteCode: 'S1', lastSeen: null }]);
    expect(fleetCsv('2026-12', f).split('\n')).toEqual([
      'month,site,agents,silent_agents,items_passed,items_failed,terminals_failing,faults,responded_pct,critical_in_time_pct,major_in_time_pct,fixed_2h_pct,fixed_4h_pct',
      '2026-12,S1,2,1,8,1,1,2,50,,,50,100',
      '2026-12,S2,2,1,7,2,1,2,100,0,100,0,0',
      '2026-12,*,4,2,15,3,2,4,75,0,100,25,50',
      '',
    ]);
  });

  it('leaves a fault still open and younger than 2 h out of the 2 h figure, and counts an older one as not fixed', () => {
    const now = new Date(T + 3 * H * 1000);
    expect(compliance([fig('young', { detectedAt: new Date(T + 2 * H * 1000).toISOString(), resolveSeconds: null }), fig('old', { resolveSeconds: null })], now)).toMatchObject({ fixedWithin2h: 0, fixedWithin4h: null });
  });
});

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
});

describe('desk-cli report with the fleet', () => {
  it('prints the fleet tables, CSV, one site, and refuses a bad month or format in zh and en', async () => {
    const d = await initTestDesk();
    const desk = await startDesk(d);
    cleanup.push(() => desk.stop());
    const id = 'P44010600123-POS-21';
    const a = await startAgent({ desk: await agentDeskConfig(d, id), id });
    cleanup.push(() => a.stop());
    await a.setFailing(['reader'], 'critical');
    await waitFor('delivered', () => desk.store.listFaults({ state: ['active'] }).length === 1);
    // The agent learns the desk has it from the desk's ack: its own report shows the receipt.
    const received = await waitFor('desk receipt on the agent', () => Object.values(a.agent.rollups.snapshot().faults)[0]?.deskReceivedAt);
    expect(Date.parse(received)).toBeGreaterThanOrEqual(Date.parse(desk.store.listFaults({ state: ['active'] })[0]!.detectedAt));
    let out = '';
    let err = '';
    // PATH only: the PDF's chromium is looked up there.
    const io: CliIO = { out: (s) => void (out += `${s}\n`), err: (s) => void (err += `${s}\n`), env: { PATH: process.env.PATH } };
    const run = async (...args: string[]) => {
      out = err = '';
      return main(['desk-cli', 'token', 'create', 'eng', '--dir', d.dir, '--save'], io).then(() => ((out = err = ''), main(['desk-cli', ...args, '--dir', d.dir], io)));
    };
    const month = a.agent.rollups.month;
    const row = await waitFor('the inspection in a heartbeat', () => desk.store.listAgents().find((x) => x.health?.inspection?.some((b) => b.month === month)));
    const brief = row.health!.inspection!.find((b) => b.month === month)!;
    expect(brief.complete).toBe(false);
    expect(brief.pass + brief.fail + brief.na).toBeGreaterThan(0);
    expect(await run('report', '--lang', 'zh')).toBe(0);
    expect(out).toContain('各终端巡检结果');
    expect(out).toContain('全网合同指标（与上月对比）');
    expect(out).toContain(id);
    expect(await run('report', '--format', 'csv')).toBe(0);
    // The agent's heartbeat carries its checklist's verdicts for the month: 0 passed here would mean none arrived.
    expect(out.split('\n')[1]).toMatch(/^\d{4}-\d{2},P44010600123,1,0,\d+,\d+,[01],1,/);
    expect(await run('report', '--format', 'json', '--site', 'H99999999999')).toBe(0);
    expect(JSON.parse(out).fleet).toMatchObject({ compliance: { faults: 0 }, sites: [], silentAgents: [] });
    expect(await run('report', '--month', '2026/12')).toBe(64);
    expect(err).toMatch(/月份 "2026\/12" 格式错误.*--month "2026\/12" is not a month/);
    expect(await run('report', '--format', 'docx')).toBe(64);
    expect(err).toMatch(/未知格式 "docx".*unknown --format "docx": use table, json, csv, html or pdf/);
    expect(await run('report', '--format', 'html')).toBe(0);
    expect(out).toContain('医保结算终端服务月报');
    const pdf = join(d.dir, 'fleet.pdf');
    expect(await run('report', '--format', 'pdf', '--out', pdf)).toBe(0);
    const text = execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8' });
    expect(text).toContain('Monthly service report');
    expect(text).toContain(id);
  });
});
