// Days are cut in China's zone; the agent takes its zone from the process, so the test fixes it.
process.env.TZ = 'Asia/Shanghai';

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../agent/cli/main.js';
import type { Agent } from '../../agent/core/runtime/agent.js';
import { readMonthFile } from '../../agent/core/store/rollup/month-file.js';
import { generateReport } from '../../agent/report/generate.js';
import type { InspectionReport } from '../../agent/report/inspection/build.js';
import { htmlToPdf, htmlToPng } from '../../agent/report/render/chromium.js';
import { renderReportHtml } from '../../agent/report/render/html.js';
import { cst, SimClock, SIM_TYPES, simulateMonth } from '../../agent/report/test-support/month-sim.js';
import { InspectionBriefs } from '../../agent/tunnel/inspection-briefs.js';
import { simConfig, SITE, startSimAgent, tempRoot } from './support.js';

const ARTIFACTS = join(fileURLToPath(new URL('../..', import.meta.url)), 'test-artifacts', 'report');

/**
 * November: quiet (readers fail 2 days each). December: settlement fails once a day at 03:00 on days 1-10 (4 of
 * those faults acknowledged after 5 min), latency 20 ms except 400 ms at 22:00 and 23:00, /var grows 0.3 points a
 * day from 80 %, the client certificate runs down to 42 days, reader COM3 fails 7 days (3.5x November), COM4 3 days
 * (1.5x). The agent is restarted after the 15th.
 */
let root: Awaited<ReturnType<typeof tempRoot>>;
let report: InspectionReport;
let config: ReturnType<typeof simConfig>;

beforeAll(async () => {
  root = await tempRoot();
  config = simConfig(root.dir);
  const clock = new SimClock(cst('2026-11', 1, 0));
  let agent: Agent = await startSimAgent(config, clock);
  const base = { latencyMs: (h: number) => (h >= 22 ? 400 : 20), diskRoot: () => 50 };
  await simulateMonth(() => agent, clock, { ...base, month: '2026-11', days: 30, settlementFailDays: 0, acked: 0, diskVar: () => 80, certDaysLeft: (d) => 103 - d, readerFailDays: { COM3: 2, COM4: 2 } });
  await simulateMonth(() => agent, clock, {
    ...base, month: '2026-12', days: 31, settlementFailDays: 10, acked: 4,
    diskVar: (d) => Math.round((80 + 0.3 * d) * 10) / 10,
    certDaysLeft: (d) => 73 - d,
    readerFailDays: { COM3: 7, COM4: 3 },
    afterDay: async (d) => {
      if (d !== 15) return;
      await agent.stop();
      agent = await startSimAgent(config, clock);
    },
  });
  clock.ms = cst('2027-01', 1, 9);
  await agent.stop();
  report = await generateReport({ dir: config.storage.dir, month: '2026-12', site: SITE, agentId: config.agent.id, version: '9.9.9-test', types: SIM_TYPES, now: clock.now() });
}, 120_000);

afterAll(async () => {
  await root?.remove();
});

const figure = (check: string, subject: string) => report.figures.find((f) => f.checkId === check && f.subject === subject)!;

describe('the monthly report from a month through the real agent', () => {
  it('computes availability and latency percentiles as by hand, across a restart', () => {
    const s = figure('settlement', 'ybj-platform');
    // 31 days x 24 probes; 10 failed. Answered: 734, of which 62 (22:00, 23:00) at 400 ms, 672 at 20 ms.
    expect({ n: s.n, ok: s.ok, reasons: s.reasons }).toEqual({ n: 744, ok: 734, reasons: { unreachable: 10 } });
    expect(s.availability).toBe(98.66); // 734 / 744
    // nearest rank: p50 = 367th of 734 (a 20), p95 = 698th (> 672: a 400)
    expect(s.latency).toEqual({ p50: 20, p95: 400, max: 400, n: 734 });
    expect(report.complete).toBe(true);
    expect(report.coverage).toEqual({ daysWithData: 31, daysElapsed: 31, daysInMonth: 31 });
  });

  it('fills the checklist with standards, observations and verdicts', () => {
    const row = (zh: string, subject: string) => report.checklist.find((i) => i.item.zh === zh && i.subject === subject)!;
    expect(row('医保结算连通', 'ybj-platform')).toMatchObject({ result: 'fail', observed: { en: 'availability 98.66 %, p50 20 ms, p95 400 ms' } });
    expect(row('磁盘空间', '/var')).toMatchObject({ result: 'pass', observed: { en: 'worst 89.3 %, latest 89.3 %' } });
    expect(row('数字证书', 'settlement-client')).toMatchObject({ result: 'pass', observed: { en: '42 days left, revocation good' } });
    expect(row('读卡器', 'COM3')).toMatchObject({ result: 'pass', observed: { en: '1 fault(s), 168 h in all; availability 77.42 %' } });
    expect(row('监控代理自身', 'agent').observed.en).toBe('data on 31/31 days, 1 start(s)');
    for (const zh of ['数据备份', '系统日志', 'USBKey 令牌', '系统时钟']) expect(row(zh, '-').result).toBe('n/a');
  });

  it('lists every fault with its times and judges the service targets', () => {
    expect(report.faults.map((f) => f.code).sort()).toEqual([...Array(10).fill('PLATFORM_UNREACHABLE'), 'READER_LINK_ERRORS', 'READER_LINK_ERRORS']);
    const first = report.faults.find((f) => f.code === 'PLATFORM_UNREACHABLE')!;
    expect(first).toMatchObject({ detectedAt: new Date(cst('2026-12', 1, 3)).toISOString(), acknowledgedAt: new Date(cst('2026-12', 1, 3, 5)).toISOString(), responseMinutes: 5, response: 'met', resolutionHours: 1, resolution: 'met' });
    // 4 acknowledged in 5 min; the other 8 were first answered by their resolution, 1 h or days later.
    expect(report.sla).toMatchObject({ faults: 12, respondedWithin10Min: 33.3, majorWithin24h: 100, criticalWithin12h: null, fixedWithin2h: 83.3, fixedWithin4h: 83.3 });
  });

  it('suggests what the trends warrant, with evidence, and nothing else', () => {
    const by = Object.fromEntries(report.suggestions.map((s) => [`${s.kind} ${s.subject}`, s]));
    // COM4 (1.5x), ca-root (2000 days) and / (flat) warrant nothing; settlement failing where it never did does.
    expect(Object.keys(by).sort()).toEqual(['cert_expiring settlement-client', 'disk_growth /var', 'errors_rising COM3', 'errors_rising ybj-platform']);
    expect(by['errors_rising ybj-platform']!.text.en).toBe('10 failures of ybj-platform this month (none last month): check it');
    expect(by['cert_expiring settlement-client']!.text.en).toBe('certificate settlement-client expires in 42 days: schedule renewal');
    // 0.3 points a day is 2.1 a week; 80 + 0.3 d = 90 at d = 33.3, the 34th day from 30 Nov: 3 January
    expect(by['disk_growth /var']!.text.en).toBe('disk /var at 89.3 % and growing 2.1 %/week: reaches 90 % around 2027-01-03');
    expect(by['disk_growth /var']!.evidence).toMatch(/linear fit of 30 daily maxima 2026-12-02\.\.2026-12-31: 0\.3 points\/day/);
    expect(by['errors_rising COM3']!.text.en).toBe('reader link errors of COM3 rose 3.5-fold this month: check its cable and device');
  });

  it('keeps the roll-ups bounded: one small file per month', async () => {
    const dec = await readMonthFile(config.storage.dir, '2026-12');
    const bytes = Buffer.byteLength(JSON.stringify(dec));
    expect(bytes).toBeLessThan(120_000);
  });

  it('prints as A4 PDF through chromium: pages and text checked with pdfinfo and pdftotext', async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const html = renderReportHtml(report);
    const pdf = join(ARTIFACTS, 'report-2026-12.pdf');
    writeFileSync(pdf, await htmlToPdf(html));
    const info = execFileSync('pdfinfo', [pdf], { encoding: 'utf8' });
    expect(info).toMatch(/Page size:\s+59[45]\.\d+ x 841\.\d+ pts \(A4\)/);
    const pages = Number(/Pages:\s+(\d+)/.exec(info)![1]);
    // checklist and suggestions, then faults on a new page, then the appendix on a new page
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(pages).toBeLessThanOrEqual(5);
    const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
    for (const s of ['医保结算终端月度巡检报告', 'Monthly inspection report', '示例大药房（天河店）', '98.66 %', 'reaches 90 % around 2027-01-03', 'PLATFORM_UNREACHABLE', 'Appendix']) expect(text).toContain(s);
    // the faults section starts a page: its heading is the first line of some page
    const byPage = text.split('\f');
    expect(byPage.findIndex((p) => p.trimStart().startsWith('三、本月故障与服务时限'))).toBeGreaterThan(0);
    writeFileSync(join(ARTIFACTS, 'report-2026-12.png'), await htmlToPng(html));
  }, 60_000);

  it('heartbeats carry this month so far and, once read from its file, last month complete', async () => {
    const clock = new SimClock(cst('2027-01', 1, 9));
    const agent = await startSimAgent(config, clock);
    try {
      const briefs = new InspectionBriefs();
      expect(briefs.briefs(agent, clock.now()).map((b) => b.month)).toEqual(['2027-01']);
      await new Promise((r) => setTimeout(r, 200)); // December is read in the background
      const december = briefs.briefs(agent, clock.now())[1]!;
      // The agent judges with its configured check types (here none: the simulation's are result sources).
      const types = Object.fromEntries(agent.status().checks.map((c) => [c.id, c.type]));
      const expected = await generateReport({ dir: config.storage.dir, month: '2026-12', site: SITE, agentId: config.agent.id, version: '9.9.9-test', types, now: clock.now() });
      expect(december).toEqual({ month: '2026-12', complete: true, ...expected.result, failed: expected.checklist.filter((i) => i.result === 'fail').map((i) => `${i.item.en}: ${i.subject}`) });
      expect(expected.coverage.daysWithData).toBe(31);
    } finally {
      await agent.stop();
    }
  });

  it('guardpost report prints the same report from the state directory, and refuses bad input in zh and en', async () => {
    const file = join(root.dir, 'config.json');
    writeFileSync(file, JSON.stringify({ site: SITE, checks: {}, storage: { dir: config.storage.dir }, logging: { file: join(root.dir, 'cli.log') }, web: { enabled: false } }));
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s), env: {} };
    expect(await main(['report', '--month', '2026-12', '--format', 'json', '--offline', '--config', file], io)).toBe(0);
    const printed = JSON.parse(out.join('')) as InspectionReport;
    expect(printed.faults).toHaveLength(12);
    expect(await main(['report', '--month', '2026-13', '--config', file], io)).toBe(64);
    expect(err.at(-1)).toMatch(/月份 "2026-13" 格式错误[\s\S]*--month "2026-13" is not a month: expected YYYY-MM/);
    expect(await main(['report', '--format', 'docx', '--config', file], io)).toBe(64);
    expect(err.at(-1)).toMatch(/未知格式 "docx"[\s\S]*unknown --format "docx": use one of html, json, pdf/);
    expect(await main(['report', '--month', '2999-01', '--config', file], io)).toBe(64);
    expect(err.at(-1)).toMatch(/has not begun yet/);
    expect(await main(['report', '--month', '2026-12', '--format', 'pdf', '--offline', '--config', file], { ...io, env: { GUARDPOST_CHROMIUM: join(root.dir, 'no-chromium') } })).toBe(69);
    expect(err.at(-1)).toMatch(/未找到 Chromium[\s\S]*no chromium found/);
  });
});
