/**
 * Scheduler overhead: CPU time (process.cpuUsage) per 1,000 scheduled runs of a trivial check, with time
 * accelerated by a virtual clock, against 1,000 bare calls of the same probe function.
 * Run: node --import tsx bench/scheduler.bench.ts   (prints a table, then one line "BENCH_JSON {...}")
 */
import { Type } from '../agent/core/schema/type.js';
import type { CheckPlugin } from '../agent/core/checks/plugin.js';
import type { ProbeResult } from '../agent/core/checks/result.js';
import { Scheduler } from '../agent/core/scheduler/scheduler.js';
import type { Timers } from '../agent/core/scheduler/timers.js';

const CYCLES = 1000;
const ROUNDS = 5;

/** Timers on a virtual clock: `drain` fires them in time order as fast as the CPU allows. */
class VirtualTimers implements Timers {
  nowMs = 0;
  #seq = 0;
  readonly #pending = new Map<number, { at: number; seq: number; fn: () => void }>();

  setTimeout(fn: () => void, ms: number): unknown {
    const seq = ++this.#seq;
    this.#pending.set(seq, { at: this.nowMs + ms, seq, fn });
    return seq;
  }

  clearTimeout(handle: unknown): void {
    this.#pending.delete(handle as number);
  }

  now(): number {
    return this.nowMs;
  }

  /** Fires timers until `done()`; yields to the event loop after each so the run's promises settle. */
  async drain(done: () => boolean): Promise<void> {
    while (!done()) {
      let next: { at: number; seq: number; fn: () => void } | undefined;
      for (const t of this.#pending.values()) if (!next || t.at < next.at || (t.at === next.at && t.seq < next.seq)) next = t;
      if (!next) throw new Error('no timer pending');
      this.#pending.delete(next.seq);
      this.nowMs = Math.max(this.nowMs, next.at);
      next.fn();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}

const result: ProbeResult = {
  status: 'ok', reason: 'ok', message: { zh: '正常', en: 'ok' }, subject: 'trivial', evidence: { n: 1 },
  time: new Date(0).toISOString(), durationMs: 0,
};
const trivialRun = async (): Promise<ProbeResult[]> => [result];

const plugin: CheckPlugin = {
  type: 'trivial', moduleUrl: import.meta.url, title: { zh: 'trivial', en: 'trivial' }, configSchema: Type.Object({}),
  defaults: { intervalSeconds: 30, timeoutSeconds: 10, raiseAfter: 1, clearAfter: 1 },
  reasons: {}, faults: [], rules: () => null, example: () => ({}),
  createProbe: () => ({ run: trivialRun }),
};

function cpuMicros(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return used.user + used.system;
}

async function schedulerRound(): Promise<number> {
  const timers = new VirtualTimers();
  let seed = 42;
  const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  let runs = 0;
  const scheduler = new Scheduler({
    checks: [{ id: 'trivial', plugin, config: {}, intervalSeconds: 30, timeoutSeconds: 10, isolated: false }],
    timers,
    random,
    onResults: () => {
      runs += 1;
    },
    contextFor: (checkId) => ({
      checkId,
      platform: undefined as never,
      state: { get: () => undefined, set: () => {} },
      now: () => new Date(timers.now()),
    }),
  });
  await scheduler.start();
  await timers.drain(() => runs >= 10); // warm-up
  const before = runs;
  const start = process.cpuUsage();
  await timers.drain(() => runs >= before + CYCLES);
  const micros = cpuMicros(start);
  await scheduler.stop(0);
  return micros;
}

async function bareRound(): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < CYCLES; i++) await trivialRun();
  return cpuMicros(start);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const schedulerSamples: number[] = [];
const bareSamples: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  schedulerSamples.push(await schedulerRound());
  bareSamples.push(await bareRound());
}
const schedulerMs = median(schedulerSamples) / 1000;
const bareMs = median(bareSamples) / 1000;

// ms per 1,000 runs is numerically µs per run. The scheduler figure includes one event-loop turn per timer.
console.table([
  { what: `scheduler: ${CYCLES} scheduled runs (virtual clock)`, 'CPU ms per 1000 (median)': +schedulerMs.toFixed(3) },
  { what: `bare: ${CYCLES} awaited probe calls`, 'CPU ms per 1000 (median)': +bareMs.toFixed(3) },
]);
console.log(
  `BENCH_JSON ${JSON.stringify({
    bench: 'scheduler',
    cycles: CYCLES,
    rounds: ROUNDS,
    schedulerCpuMsPer1000: +schedulerMs.toFixed(3),
    bareCpuMsPer1000: +bareMs.toFixed(3),
    overheadCpuUsPerRun: +(((schedulerMs - bareMs) * 1000) / CYCLES).toFixed(2),
  })}`,
);
