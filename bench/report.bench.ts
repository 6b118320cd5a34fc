/**
 * Monthly report benchmark: one terminal-month of a typical configuration (settlement 3 endpoints and a certificate
 * server every 60 s; disk, memory, logs, backup, certificates, readers, token, clock every 5 min; ~40 faults) folded
 * into the roll-ups, then:
 *  - roll-up bytes on disk per check and per subject for the month, against the baseline of the same month kept as raw
 *    (bounded) results, as history would hold them;
 *  - bytes written per day with a flush every 5 minutes (the live file: the open day and the faults, plus the month
 *    file once a day), against rewriting the whole month at each flush (one file per month, the first design);
 *  - report generation time (read the month files, build, render HTML), against reading and parsing the month's
 *    file alone, measured in the same run; and the PDF through chromium once, when it is installed.
 *  - the desk's fleet-month for 1,000 terminals (30 faults each, 40 sites): the service report with the fleet summary
 *    and its CSV, against the service report alone (what the desk computed before the fleet summary).
 * Figures only, no targets enforced. Run: node --import tsx bench/report.bench.ts   (last line: BENCH_JSON {...})
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ProbeResult } from '../agent/core/checks/result.js';
import { boundResult } from '../agent/core/store/history-bounds.js';
import { livePath, monthPath, readMonthFile } from '../agent/core/store/rollup/month-file.js';
import { RollupStore } from '../agent/core/store/rollup/rollup-store.js';
import { generateReport } from '../agent/report/generate.js';
import { findChromium, htmlToPdf } from '../agent/report/render/chromium.js';
import { renderReportHtml } from '../agent/report/render/html.js';
import { fleetCsv } from '../desk/client/fleet-render.js';
import { fleetSummary } from '../desk/fleet-report.js';
import { monthRange, serviceReport } from '../desk/service-report.js';
import type { AgentRow, FaultRow } from '../desk/store/types.js';
import { median, printBenchJson, round, type SummaryRow } from './support/bench-util.js';

/** 1,000 terminals' month at the desk: FaultRows as the store returns them, agents as it lists them. */
function fleetMonth(terminals: number, faultsEach: number): { rows: FaultRow[]; previous: FaultRow[]; agents: AgentRow[] } {
  const codes = ['PLATFORM_UNREACHABLE', 'READER_LINK_ERRORS', 'DISK_SPACE_LOW', 'CERT_EXPIRING', 'BACKUP_STALE', 'CLOCK_SKEW'];
  const grades = ['minor', 'major', 'major', 'critical'] as const;
  const agents: AgentRow[] = [];
  const make = (month: string, list: FaultRow[]) => {
    const from = Date.parse(monthRange(month).from);
    for (let a = 0; a < terminals; a++) {
      const siteCode = `P4401060${String(a % 40).padStart(4, '0')}`;
      for (let i = 0; i < faultsEach; i++) {
        const detected = from + ((a * 7919 + i * 104_729) % (29 * 86_400)) * 1000;
        const sev = grades[(a + i) % grades.length]!;
        const response = (a + i) % 5 === 0 ? null : ((a * 13 + i * 7) % 1200);
        const resolve = (a + i) % 11 === 0 ? null : ((a * 31 + i * 17) % (30 * 3600));
        list.push({
          id: `${month}-${a}-${i}`, agentId: `${siteCode}-POS-${a}`, siteCode, siteName: siteCode, key: `k${i % 6}`, code: codes[i % codes.length]!, severity: sev, maxSeverity: sev,
          state: resolve === null ? 'open' : 'resolved', subject: 's', checkId: 'c', title: { zh: 't', en: 't' }, detail: { zh: '', en: '' },
          detectedAt: new Date(detected).toISOString(), receivedAt: new Date(detected + 2000).toISOString(),
          acknowledgedAt: response === null ? null : new Date(detected + response * 1000).toISOString(), acknowledgedBy: response === null ? null : 'eng',
          resolvedAt: resolve === null ? null : new Date(detected + resolve * 1000).toISOString(), resolvedInferred: false,
          receiptSeconds: 2, responseSeconds: response, resolveSeconds: resolve,
        });
      }
    }
  };
  const rows: FaultRow[] = [];
  const previous: FaultRow[] = [];
  make('2026-12', rows);
  make('2026-11', previous);
  for (let a = 0; a < terminals; a++) {
    const siteCode = `P4401060${String(a % 40).padStart(4, '0')}`;
    agents.push({ id: `${siteCode}-POS-${a}`, siteCode, siteName: siteCode, admvs: '440106', terminalId: `POS-${a}`, profile: 'terminal', version: 'b', online: a % 50 !== 0, connectedAt: null, disconnectedAt: null, disconnectReason: null, lastSeen: a % 97 === 0 ? '2026-11-02T00:00:00.000Z' : '2026-12-30T00:00:00.000Z', lastSeq: 0, health: null, healthAt: null, openFaults: { critical: 0, major: 0, minor: 0 }, limited: null });
  }
  return { rows, previous, agents };
}

const MONTH = '2026-12';
const OFFSET = 480;
const DAYS = 31;
const RUNS = 20;
const start = Date.UTC(2026, 10, 30, 16); // 2026-12-01 00:00 in UTC+8

/** check id → [type, subjects, interval s, result maker] */
type Maker = (subject: string, t: number, i: number) => Pick<ProbeResult, 'status' | 'reason' | 'evidence'>;
const ok = (evidence: ProbeResult['evidence']) => ({ status: 'ok' as const, reason: 'ok', evidence });
const CHECKS: Record<string, { type: string; subjects: string[]; every: number; make: Maker }> = {
  settlement: { type: 'settlement', subjects: ['ybj-platform', 'ybj-backup', 'ybj-dns'], every: 60, make: (_s, _t, i) => (i % 997 === 0 ? { status: 'fail', reason: 'timeout', evidence: { error: 'ETIMEDOUT' } } : ok({ totalMs: 15 + (i % 40), target: 'https://hsa.example:443/' })) },
  certserver: { type: 'certserver', subjects: ['ca'], every: 60, make: (_s, _t, i) => ok({ totalMs: 30 + (i % 25) }) },
  disk: { type: 'disk', subjects: ['/', 'inodes:/', '/var', 'inodes:/var'], every: 300, make: (s, t) => (s.startsWith('inodes') ? ok({ inodesUsedPercent: 12 }) : ok({ usedPercent: 70 + (t - start) / 86_400_000 / 5, availableBytes: 8e9, totalBytes: 5e10 })) },
  memory: { type: 'memory', subjects: ['memory', 'swap', 'load'], every: 300, make: () => ok({ availablePercent: 40, swapUsedPercent: 3, load5PerCore: 0.4 }) },
  logs: { type: 'logs', subjects: ['his-app', 'his-db'], every: 300, make: (_s, _t, i) => ok({ matches: i % 50 === 0 ? 1 : 0, lines: 120, sample: 'x'.repeat(200) }) },
  backup: { type: 'backup', subjects: ['his'], every: 300, make: () => ok({ newestAgeHours: 8, newestSizeBytes: 4e8, matches: 7 }) },
  cert: { type: 'cert', subjects: ['client-sign', 'client-enc', 'ca-root', 'crl:ca'], every: 300, make: (_s, t) => ok({ daysLeft: 300 - Math.floor((t - start) / 86_400_000), revocation: 'good', notAfter: '2027-09-27T00:00:00Z' }) },
  reader: { type: 'reader', subjects: ['COM3', 'pcsc:ACS'], every: 300, make: (_s, _t, i) => (i % 300 === 0 ? { status: 'fail', reason: 'link_errors', evidence: { failedInWindow: 4 } } : ok({ failedInWindow: 0, errorRate: 0 })) },
  token: { type: 'token', subjects: ['GDCA-0001'], every: 300, make: () => ok({ pinCountLow: false }) },
  clock: { type: 'clock', subjects: ['clock'], every: 300, make: () => ok({ driftSeconds: 0.4, jumps: 0 }) },
};

const dir = await mkdtemp(join(tmpdir(), 'guardpost-bench-report-'));
try {
  let now = start;
  const store = await RollupStore.open({ dir, months: 13, utcOffsetMinutes: OFFSET, now: () => new Date(now), flushIntervalMs: 3_600_000 });
  let rawBytes = 0;
  let results = 0;
  let wholeMonthBytes = 0;
  let flushes = 0;
  const foldStarted = performance.now();
  let foldMs = 0;
  for (let t = start; t < start + DAYS * 86_400_000; t += 60_000) {
    now = t;
    const minute = (t - start) / 60_000;
    for (const [id, c] of Object.entries(CHECKS)) {
      if (minute % (c.every / 60) !== 0) continue;
      const batch = c.subjects.map((subject): ProbeResult => ({ subject, message: { zh: '正常', en: 'ok' }, time: new Date(t).toISOString(), durationMs: 3, ...c.make(subject, t, minute) }));
      // The baseline: what the same results cost kept raw (bounded as history bounds them), 1 per line.
      for (const r of batch) rawBytes += Buffer.byteLength(JSON.stringify(boundResult(r))) + 1;
      const t0 = performance.now();
      store.record(id, batch);
      foldMs += performance.now() - t0;
      results += batch.length;
    }
    if (minute % 5 === 4) {
      // What the agent's timer does every 5 minutes; the baseline is the whole month rewritten instead.
      wholeMonthBytes += Buffer.byteLength(JSON.stringify(store.snapshot()));
      flushes++;
      await store.flush();
    }
    if (minute % 1093 === 0) {
      const f = { id: `f${minute}`, key: `k${minute % 7}`, code: 'PLATFORM_UNREACHABLE', severity: 'major' as const, title: { zh: '医保平台不可达', en: 'platform unreachable' }, detail: { zh: '', en: '' }, checkId: 'settlement', subject: 'ybj-platform', labels: {}, evidence: {}, firstSeen: new Date(t).toISOString(), lastSeen: new Date(t).toISOString(), occurrences: 1, state: 'open' as const, inhibitedBy: [] };
      store.recordTransitions([{ seq: minute, kind: 'opened', at: f.firstSeen, detectedAt: f.firstSeen, fault: f }]);
      const later = new Date(t + 3_000_000).toISOString();
      store.recordTransitions([{ seq: minute + 1, kind: 'resolved', at: later, detectedAt: f.firstSeen, fault: { ...f, state: 'resolved', resolvedAt: later } }]);
    }
  }
  const flushStarted = performance.now();
  await store.close();
  const flushMs = performance.now() - flushStarted;
  const simMs = performance.now() - foldStarted;
  const fileBytes = (await stat(monthPath(dir, MONTH))).size + (await stat(livePath(dir, MONTH))).size;
  const writtenPerDay = round(store.io().bytesWritten / DAYS, 0);
  const wholePerDay = round(wholeMonthBytes / DAYS, 0);
  const checks = Object.keys(CHECKS).length;
  const subjects = Object.values(CHECKS).reduce((n, c) => n + c.subjects.length, 0);

  const types = Object.fromEntries(Object.entries(CHECKS).map(([id, c]) => [id, c.type]));
  const site = { fixmedins_code: 'P44010600123', fixmedins_name: '示例大药房', terminalId: 'POS-01' };
  const reportAt = new Date(Date.UTC(2027, 0, 1, 2));
  const generate = async () => renderReportHtml(await generateReport({ dir, month: MONTH, site, agentId: 'bench', version: 'bench', types, now: reportAt, utcOffsetMinutes: OFFSET }));
  await generate(); // warm-up: module code compiled, file cache warm
  const genMs: number[] = [];
  const readMs: number[] = [];
  let html = '';
  for (let i = 0; i < RUNS; i++) {
    let t0 = performance.now();
    html = await generate();
    genMs.push(performance.now() - t0);
    t0 = performance.now();
    await readMonthFile(dir, MONTH);
    readMs.push(performance.now() - t0);
  }
  let pdfMs: number | undefined;
  let pdfBytes: number | undefined;
  if (await findChromium()) {
    const t0 = performance.now();
    pdfBytes = (await htmlToPdf(html)).length;
    pdfMs = performance.now() - t0;
  }

  // The desk's fleet-month: 1,000 terminals.
  const fleet = fleetMonth(1000, 30);
  const targets = { respondMinutes: 10, resolveHours: { critical: 12, major: 24 } };
  const range = monthRange(MONTH);
  const before = monthRange('2026-11');
  const deskAt = new Date(Date.UTC(2027, 0, 1, 2));
  const serviceOnly = () => serviceReport(fleet.rows, range, targets, deskAt);
  const withFleet = () => {
    const r = serviceReport(fleet.rows, range, targets, deskAt);
    const p = serviceReport(fleet.previous, before, targets, deskAt);
    const f = fleetSummary(r.faults, p.faults, fleet.agents, { month: MONTH, from: range.from }, deskAt);
    return fleetCsv(MONTH, f).length + f.silentAgents.length;
  };
  withFleet();
  const fleetMs: number[] = [];
  const serviceMs: number[] = [];
  for (let i = 0; i < 10; i++) {
    let t0 = performance.now();
    withFleet();
    fleetMs.push(performance.now() - t0);
    t0 = performance.now();
    serviceOnly();
    serviceMs.push(performance.now() - t0);
  }
  const fleetMedian = round(median(fleetMs));
  const serviceMedian = round(median(serviceMs));

  const gen = round(median(genMs));
  const read = round(median(readMs));
  console.log(`Guardpost monthly report, one terminal-month: ${checks} checks, ${subjects} subjects, ${results} results over ${DAYS} days (folded in ${round(foldMs)} ms, ${round((foldMs * 1000) / results, 2)} µs each; simulation ${round(simMs)} ms), node ${process.version}`);
  console.table({
    'roll-up file (month)': { bytes: fileBytes, 'per check': round(fileBytes / checks, 0), 'per subject': round(fileBytes / subjects, 0) },
    'raw results (baseline)': { bytes: rawBytes, 'per check': round(rawBytes / checks, 0), 'per subject': round(rawBytes / subjects, 0) },
  });
  console.log(`roll-ups / raw: ${round(fileBytes / rawBytes, 5)}; the last write at stop: ${round(flushMs)} ms`);
  console.log(`bytes written per day, ${flushes} flushes every 5 min: ${writtenPerDay} (live file + daily close) vs ${wholePerDay} rewriting the whole month each time (${round(writtenPerDay / wholePerDay, 3)}x)`);
  console.log(`report generation (read, build, HTML ${html.length} chars): median ${gen} ms over ${RUNS}; reading the month file alone: ${read} ms (${round(gen / read)}x)`);
  console.log(`desk fleet-month, 1,000 terminals x 30 faults (and the previous month): ${fleetMedian} ms with the fleet summary and CSV, ${serviceMedian} ms for the service report alone (${round(fleetMedian / serviceMedian)}x)`);
  console.log(pdfMs !== undefined ? `PDF through chromium: ${round(pdfMs)} ms, ${pdfBytes} bytes (${round(pdfMs / gen)}x the HTML)` : 'PDF: no chromium here, not measured');

  const summary: SummaryRow[] = [
    { figure: 'report: roll-up bytes on disk per check per month', value: round(fileBytes / checks, 0), unit: 'B', baseline: round(rawBytes / checks, 0), ratio: round(fileBytes / rawBytes, 5) },
    { figure: 'report: roll-up bytes on disk per subject per month', value: round(fileBytes / subjects, 0), unit: 'B' },
    { figure: 'report: roll-up bytes written per day (5-min flushes)', value: writtenPerDay, unit: 'B', baseline: wholePerDay, ratio: round(writtenPerDay / wholePerDay, 3) },
    { figure: 'report: generation for one terminal-month (HTML)', value: gen, unit: 'ms', baseline: read, ratio: round(gen / read) },
    { figure: 'report: desk fleet-month, 1,000 terminals', value: fleetMedian, unit: 'ms', baseline: serviceMedian, ratio: round(fleetMedian / serviceMedian) },
    ...(pdfMs !== undefined ? [{ figure: 'report: PDF through chromium', value: round(pdfMs), unit: 'ms', baseline: gen, ratio: round(pdfMs / gen) }] : []),
  ];
  printBenchJson({ bench: 'report', checks, subjects, results, fileBytes, rawBytes, writtenPerDay, wholePerDay, genMs: gen, readMs: read, fleetMs: fleetMedian, serviceMs: serviceMedian, pdfMs, foldMs: round(foldMs), summary });
} finally {
  await rm(dir, { recursive: true, force: true });
}
