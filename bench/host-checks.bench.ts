/**
 * CPU time (process.cpuUsage, user + system, all threads) per 1,000 scheduler cycles with the default host checks
 * (disk, memory, clock on the embedded default config, real probes), one cycle = one scheduled check run, time
 * accelerated by a virtual clock. Same-run baselines, so the framework's share shows as a ratio:
 * - 1,000 awaited calls of a bare async function;
 * - 1,000 runs of the same probes called directly, in the same mix as the scheduled runs (no scheduler);
 * - the scheduler alone (probes → onResults no-op), and the whole agent pipeline (scheduler → probes → fault
 *   engine → history → state store, history flushed every 5 min of virtual time as the real agent does), also
 *   without history flushes, to show what the fsynced rewrite of history.json costs.
 * Run: node --import tsx bench/host-checks.bench.ts   (prints a table, then one line "BENCH_JSON {...}")
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contextFor, loadOptions } from '../agent/cli/context.js';
import type { CheckPlugin, Probe, ProbeContext } from '../agent/core/checks/plugin.js';
import type { ProbeResult } from '../agent/core/checks/result.js';
import { buildConfig, embeddedDefaultDocument, type LoadedCheck } from '../agent/core/config/load.js';
import { createLogger } from '../agent/core/logging/logger.js';
import { Agent } from '../agent/core/runtime/agent.js';
import { Scheduler } from '../agent/core/scheduler/scheduler.js';
import { flushHistoryOnVirtualTime, instrumentPlugins, NO_REAL_TIME_FLUSH_MS } from './support/accelerate.mjs';
import { cpuMicros, median, printBenchJson, round, type SummaryRow } from './support/bench-util.js';
import { settle, VirtualClock } from './support/virtual-clock.mjs';

const CYCLES = 1000;
const WARMUP = 30;
const ROUNDS = 3;

const ctx = await contextFor({ defaults: true }, process.env); // as `guardpost run --defaults` loads them: only the checks it names
const noState = { get: () => undefined, set: () => {} };
const totalRuns = (runs: Map<string, number>): number => [...runs.values()].reduce((a, b) => a + b, 0);
const immediate = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The embedded default config's checks (disk, memory, clock with their defaults), built from the given plugins. */
function defaultChecks(plugins: CheckPlugin[], stateDir: string): LoadedCheck[] {
  return buildConfig(embeddedDefaultDocument(stateDir), 'embedded default (benchmark)', loadOptions({ ...ctx, plugins })).checks;
}

/** Fires virtual timers one at a time, each after the previous one's real async work is done, until `done()`. */
async function drive(clock: VirtualClock, busy: () => boolean, done: () => boolean): Promise<void> {
  while (!done()) {
    await settle(busy);
    if (!clock.fireNext()) throw new Error('no virtual timer pending');
    await immediate();
  }
  await settle(busy);
}

interface Measured {
  cpuMicros: number;
  mix: Record<string, number>;
  transitions?: number;
  historyWrites?: number;
  historyBytes?: number;
}

/** Warm-up, then CPU over exactly CYCLES more probe runs; `mix` is the runs per check type in that window. */
async function measureRuns(clock: VirtualClock, busy: () => boolean, runs: Map<string, number>): Promise<Measured> {
  await drive(clock, busy, () => totalRuns(runs) >= WARMUP);
  const before = new Map(runs);
  const target = totalRuns(runs) + CYCLES;
  const start = process.cpuUsage();
  await drive(clock, busy, () => totalRuns(runs) >= target);
  const micros = cpuMicros(start);
  const mix = Object.fromEntries([...runs].map(([type, n]) => [type, n - (before.get(type) ?? 0)]));
  return { cpuMicros: micros, mix };
}

function seededRandom(seed: number): () => number {
  return () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

async function schedulerRound(): Promise<Measured> {
  const clock = new VirtualClock(Date.now());
  const { plugins, runs } = instrumentPlugins(ctx.plugins, clock);
  const scheduler = new Scheduler({
    checks: defaultChecks(plugins, tmpdir()).map((c) => ({
      id: c.id, plugin: c.plugin, config: c.settings, intervalSeconds: c.intervalSeconds, timeoutSeconds: c.timeoutSeconds,
      jitterPercent: c.jitterPercent, isolated: false,
    })),
    timers: clock.timers,
    random: seededRandom(42),
    contextFor: (checkId): ProbeContext => ({ checkId, platform: ctx.platform, state: noState, now: clock.date }),
    onResults: () => {},
  });
  const busy = (): boolean => scheduler.checkIds.some((id) => scheduler.isRunning(id));
  void scheduler.start();
  const m = await measureRuns(clock, busy, runs);
  await scheduler.stop(0);
  return m;
}

async function agentRound(flushHistory: boolean): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), 'guardpost-bench-cpu-'));
  try {
    const clock = new VirtualClock(Date.now());
    const { plugins, runs } = instrumentPlugins(ctx.plugins, clock);
    const config = buildConfig(embeddedDefaultDocument(dir), 'embedded default (benchmark)', loadOptions({ ...ctx, plugins }));
    const logger = createLogger({ level: 'warn', file: join(dir, 'agent.log'), maxSizeMB: 10, maxFiles: 2, stdout: false });
    const agent = await Agent.start({
      config, plugins, platform: ctx.platform, logger, version: 'bench', now: clock.date, timers: clock.timers,
      historyFlushMs: NO_REAL_TIME_FLUSH_MS,
    });
    const history = flushHistory ? flushHistoryOnVirtualTime(agent, clock) : { busy: () => false };
    const busy = (): boolean => history.busy() || agent.scheduler.checkIds.some((id) => agent.scheduler.isRunning(id));
    const seq0 = agent.store.lastSeq;
    const { writes, bytesWritten } = agent.history.adapter;
    const m = await measureRuns(clock, busy, runs);
    m.transitions = agent.store.lastSeq - seq0;
    m.historyWrites = agent.history.adapter.writes - writes;
    m.historyBytes = agent.history.adapter.bytesWritten - bytesWritten;
    await agent.stop(1000);
    return m;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The same probes, created once and run directly in the given mix, interleaved as evenly as the scheduler would. */
async function directRound(mix: Record<string, number>): Promise<number> {
  const probes = new Map<string, Probe>();
  for (const c of defaultChecks(ctx.plugins, tmpdir())) {
    probes.set(c.type, c.plugin.createProbe(c.settings, { checkId: c.id, platform: ctx.platform, state: noState, now: () => new Date() }));
  }
  const total = Object.values(mix).reduce((a, b) => a + b, 0);
  const order: string[] = [];
  const done: Record<string, number> = {};
  for (let i = 0; i < total; i++) {
    const next = Object.keys(mix)
      .filter((t) => (done[t] ?? 0) < mix[t]!)
      .sort((a, b) => (done[a] ?? 0) / mix[a]! - (done[b] ?? 0) / mix[b]!)[0]!;
    done[next] = (done[next] ?? 0) + 1;
    order.push(next);
  }
  const signal = new AbortController().signal;
  for (const type of order.slice(0, WARMUP)) await probes.get(type)!.run(signal);
  const start = process.cpuUsage();
  for (const type of order) await probes.get(type)!.run(signal);
  return cpuMicros(start);
}

const bareResult: ProbeResult[] = [
  { status: 'ok', reason: 'ok', message: { zh: '正常', en: 'ok' }, subject: 'bare', evidence: {}, time: new Date(0).toISOString(), durationMs: 0 },
];
const bare = async (): Promise<ProbeResult[]> => bareResult;
async function bareRound(): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < CYCLES; i++) await bare();
  return cpuMicros(start);
}

const started = performance.now();
const samples = { bare: [] as number[], direct: [] as number[], scheduler: [] as number[], agent: [] as number[], noFlush: [] as number[] };
let mix: Record<string, number> = {};
let transitions = 0;
let history = { writes: 0, bytes: 0 };
for (let i = 0; i < ROUNDS; i++) {
  const s = await schedulerRound();
  samples.scheduler.push(s.cpuMicros);
  mix = s.mix;
  const a = await agentRound(true);
  samples.agent.push(a.cpuMicros);
  transitions += a.transitions ?? 0;
  history = { writes: a.historyWrites ?? 0, bytes: a.historyBytes ?? 0 };
  const n = await agentRound(false);
  samples.noFlush.push(n.cpuMicros);
  transitions += n.transitions ?? 0;
  samples.direct.push(await directRound(mix)); // the scheduler's mix: the same probe work
  samples.bare.push(await bareRound());
}
const ms = (xs: number[]): number => round(median(xs) / 1000, 3);
const direct = ms(samples.direct);
const ratio = (x: number): number => round(x / direct);

console.log(`Guardpost host checks: CPU per ${CYCLES} cycles (1 cycle = 1 check run), median of ${ROUNDS} rounds, node ${process.version}`);
const intervals = Object.fromEntries(defaultChecks(ctx.plugins, tmpdir()).map((c) => [c.type, c.intervalSeconds]));
console.log(`mix of the ${CYCLES} runs (intervals in s: ${JSON.stringify(intervals)}): ${JSON.stringify(mix)}`);
console.table([
  { what: `bare: ${CYCLES} awaited calls of an async function`, 'CPU ms / 1000': ms(samples.bare), '× direct probes': round(ms(samples.bare) / direct, 5) },
  { what: `probes called directly, same mix`, 'CPU ms / 1000': direct, '× direct probes': 1 },
  { what: 'scheduler + probes (virtual clock)', 'CPU ms / 1000': ms(samples.scheduler), '× direct probes': ratio(ms(samples.scheduler)) },
  { what: 'agent: scheduler → probes → engine → history → store', 'CPU ms / 1000': ms(samples.agent), '× direct probes': ratio(ms(samples.agent)) },
  { what: 'agent, history.json never flushed', 'CPU ms / 1000': ms(samples.noFlush), '× direct probes': ratio(ms(samples.noFlush)) },
]);
console.log(`history.json writes in the last agent round's ${CYCLES} cycles: ${history.writes}, ${round(history.bytes / 1048576, 1)} MB (fsynced, every 5 min of virtual time when changed)`);
// A real day of the default checks: 86400 / interval runs of each (3,168 with 300/60/60 s).
const runsPerDay = Object.values(intervals).reduce((sum, s) => sum + 86400 / s, 0);
const perDayS = round((ms(samples.agent) * runsPerDay) / 1000 / 1000, 2);
console.log(`at real speed (${Math.round(runsPerDay)} runs a day) the agent's checks cost ≈ ${perDayS} s CPU per day (${round((perDayS / 86400) * 100, 4)} % of one core)`);
console.log(`fault transitions during the agent rounds: ${transitions} (real probes on this host; none expected on a healthy one)`);
console.log('ms per 1,000 runs is numerically µs per run; the scheduled rows include the virtual-clock driver (a macrotask turn');
console.log('per timer, 1 ms sleeps while a probe\'s I/O is in the thread pool), the direct row only the awaits.');
console.log(`elapsed ${round((performance.now() - started) / 1000, 1)} s`);

const summary: SummaryRow[] = [
  { figure: `host checks: scheduler CPU per ${CYCLES} cycles`, value: ms(samples.scheduler), unit: 'ms', baseline: direct, ratio: ratio(ms(samples.scheduler)) },
  { figure: `host checks: agent pipeline CPU per ${CYCLES} cycles`, value: ms(samples.agent), unit: 'ms', baseline: direct, ratio: ratio(ms(samples.agent)) },
  { figure: `host checks: agent CPU per ${CYCLES} cycles, no history flush`, value: ms(samples.noFlush), unit: 'ms', baseline: direct, ratio: ratio(ms(samples.noFlush)) },
  { figure: `host checks: direct probes CPU per ${CYCLES} runs`, value: direct, unit: 'ms', baseline: ms(samples.bare), ratio: round(direct / ms(samples.bare)) },
  { figure: 'host checks: agent CPU per real day', value: perDayS, unit: 's' },
];
printBenchJson({
  bench: 'host-checks',
  cycles: CYCLES,
  rounds: ROUNDS,
  mix,
  cpuMsPer1000: { bare: ms(samples.bare), direct, scheduler: ms(samples.scheduler), agent: ms(samples.agent), agentNoHistoryFlush: ms(samples.noFlush) },
  historyWritesPer1000: history.writes,
  historyBytesPer1000: history.bytes,
  agentCpuSecondsPerDay: perDayS,
  transitions,
  summary,
});
