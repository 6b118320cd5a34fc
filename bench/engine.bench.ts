/**
 * Fault engine, and fault engine → durable store.
 * 1. Engine alone (no I/O): N checks × M subjects. Transition throughput with raiseAfter 1 / clearAfter 1 and every
 *    subject toggling fail/ok, an hour of (injected) time between toggles so flap damping stays out of it and every
 *    ingest yields M transitions; steady-state ingest with nothing changing (all ok; all failing with faults open).
 *    Baseline: the same loop doing only structuredClone of the results. Also: what flap damping makes of 1,000
 *    alternations a minute apart.
 * 2. Engine → store: one transition per sample from engine.ingest, appended through StateStore.appendTransitions
 *    (awaited, fsynced) at an outbox of 0, 1,000 and 10,000 pending events; p50/p99 and bytes written per event,
 *    against the store alone appending a prepared transition in the same run (bench/store.bench.ts covers the store
 *    in depth). Plus one ingest of 1,000 flipping subjects appended as one burst.
 * Run: node --import tsx bench/engine.bench.ts   (prints tables, then one line "BENCH_JSON {...}")
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinPlugins } from '../agent/checks/all.js';
import type { ProbeResult } from '../agent/core/checks/result.js';
import { FaultCatalogue } from '../agent/core/faults/catalogue.js';
import { FaultEngine, type EngineCheck } from '../agent/core/faults/engine.js';
import { faultTable, type ActiveFaults } from '../agent/core/faults/types.js';
import { StateStore } from '../agent/core/store/state-store.js';
import { makeTransition } from '../agent/core/store/test-support/transitions.js';
import { median, percentile, printBenchJson, round, type SummaryRow } from './support/bench-util.js';

const CHECKS = 10;
const SUBJECTS = 10;
const ROUNDS = 3;
const HOUR = 3600_000;
const DEPTHS = [0, 1_000, 10_000];
const SAMPLES = 100;
const LIMITS = { maxEvents: 1_000_000, maxBytes: 1_000_000_000 }; // no eviction: measure at exactly each depth

const catalogue = new FaultCatalogue(builtinPlugins);
const inhibitRules = builtinPlugins.flatMap((p) => p.inhibitRules ?? []); // the shipped rules are evaluated too

const check = (id: string): EngineCheck => ({ id, raiseAfter: 1, clearAfter: 1, rules: () => ({ code: 'DISK_SPACE_LOW', severity: 'major' }) });
const result = (subject: string, fail: boolean): ProbeResult => ({
  status: fail ? 'fail' : 'ok',
  reason: fail ? 'space_low' : 'ok',
  subject,
  labels: { mount: subject },
  evidence: { usedPercent: fail ? 95 : 40 },
  message: fail ? { zh: `磁盘 ${subject} 已用 95%`, en: `disk ${subject} is 95% used` } : { zh: `磁盘 ${subject} 正常`, en: `disk ${subject} ok` },
  time: '2026-11-22T08:00:00.000Z',
  durationMs: 1,
});
const resultsFor = (c: number, n: number, fail: boolean): ProbeResult[] => Array.from({ length: n }, (_, j) => result(`/data${c}-${j}`, fail));

class Clock {
  t = Date.parse('2026-11-22T08:00:00Z');
  now = (): Date => new Date(this.t);
}

function newEngine(clock: Clock, faults: ActiveFaults = faultTable()): FaultEngine {
  return new FaultEngine({ agentId: 'H00000000000-bench', catalogue, inhibitRules, faults, now: clock.now });
}

type Workload = 'toggle' | 'steady-ok' | 'steady-fail';
const checks = Array.from({ length: CHECKS }, (_, c) => check(`disk${c}`));
const failing = checks.map((_, c) => resultsFor(c, SUBJECTS, true));
const healthy = checks.map((_, c) => resultsFor(c, SUBJECTS, false));

/** `rounds` rounds of one ingest per check; returns wall ms and transitions produced. */
function engineLoop(workload: Workload, rounds: number): { ms: number; transitions: number } {
  const clock = new Clock();
  const engine = newEngine(clock);
  if (workload === 'steady-fail') checks.forEach((c, i) => engine.ingest(c, failing[i]!)); // open the faults first
  let transitions = 0;
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) {
    clock.t += HOUR;
    const fail = workload === 'steady-fail' || (workload === 'toggle' && r % 2 === 0);
    for (let c = 0; c < CHECKS; c++) transitions += engine.ingest(checks[c]!, fail ? failing[c]! : healthy[c]!).length;
  }
  return { ms: performance.now() - t0, transitions };
}

/** The same loop shape doing only a structuredClone of each run's results. */
function baselineLoop(workload: Workload, rounds: number): number {
  let sink = 0;
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) {
    const fail = workload === 'steady-fail' || (workload === 'toggle' && r % 2 === 0);
    for (let c = 0; c < CHECKS; c++) sink += structuredClone(fail ? failing[c]! : healthy[c]!).length;
  }
  if (sink < 0) console.log(sink); // keep the clones observable
  return performance.now() - t0;
}

interface EngineRow {
  workload: Workload;
  results: number;
  transitions: number;
  resultsPerSec: number;
  transitionsPerSec: number;
  baselineResultsPerSec: number;
  ratio: number;
}

/** Rounds that make `loop` take at least ~300 ms, so timer resolution and warm-up do not matter. */
function calibrate(loop: (rounds: number) => number): number {
  let rounds = 20;
  while (loop(rounds) < 300 && rounds < 1e7) rounds *= 2;
  return rounds;
}

function measureEngine(workload: Workload): EngineRow {
  // Each side sized on its own (the engine does next to nothing when all is well), medians of ROUNDS, interleaved.
  const engineRounds = calibrate((r) => engineLoop(workload, r).ms);
  const baseRounds = calibrate((r) => baselineLoop(workload, r));
  const e: number[] = [];
  const b: number[] = [];
  let transitions = 0;
  for (let i = 0; i < ROUNDS; i++) {
    const run = engineLoop(workload, engineRounds);
    e.push(run.ms);
    transitions = run.transitions;
    b.push(baselineLoop(workload, baseRounds));
  }
  const results = engineRounds * CHECKS * SUBJECTS;
  const expected = workload === 'toggle' ? results : 0;
  if (transitions !== expected) throw new Error(`${workload}: ${transitions} transitions, expected ${expected}`);
  const perSec = (n: number, ms: number): number => Math.round(n / (ms / 1000));
  const resultsPerSec = perSec(results, median(e));
  const baselineResultsPerSec = perSec(baseRounds * CHECKS * SUBJECTS, median(b));
  return {
    workload,
    results,
    transitions,
    resultsPerSec,
    transitionsPerSec: perSec(transitions, median(e)),
    baselineResultsPerSec,
    ratio: round(baselineResultsPerSec / resultsPerSec), // engine time per result over baseline time per result
  };
}

/** 1,000 alternations a minute apart for one check: how many transitions flap damping lets through. */
function flapping(): { alternations: number; subjects: number; transitions: number } {
  const clock = new Clock();
  const engine = newEngine(clock);
  let transitions = 0;
  for (let r = 0; r < 1000; r++) {
    clock.t += 60_000;
    transitions += engine.ingest(checks[0]!, r % 2 === 0 ? failing[0]! : healthy[0]!).length;
  }
  return { alternations: 1000, subjects: SUBJECTS, transitions };
}

interface StoreRow {
  pending: number;
  e2eP50Ms: number;
  e2eP99Ms: number;
  ingestP50Us: number;
  storeOnlyP50Ms: number;
  storeOnlyP99Ms: number;
  ratio: number;
  bytesPerEvent: number;
  writesPerEvent: number;
}

async function measureDepth(pending: number): Promise<StoreRow> {
  const dir = await mkdtemp(join(tmpdir(), 'guardpost-bench-engine-'));
  try {
    const store = await StateStore.open({ dir, outbox: LIMITS });
    if (pending > 0) await store.appendTransitions(Array.from({ length: pending }, (_, i) => makeTransition(i % 2 ? 'opened' : 'resolved', `pre-${i}`)));
    const clock = new Clock();
    const engine = newEngine(clock, store.faults); // as in the agent: the engine changes the store's faults
    const one = check('disk');
    const fail = resultsFor(0, 1, true);
    const ok = resultsFor(0, 1, false);
    let flip = 0;
    let n = 0;
    const e2e: number[] = [];
    const ingestUs: number[] = [];
    const storeOnly: number[] = [];
    let bytes = 0;
    let writes = 0;
    let events = 0;
    // The backlog grows by the samples (no acks): every sample sees at least `pending` events.
    for (let i = 0; i < SAMPLES + 5; i++) {
      const measured = i >= 5;
      clock.t += HOUR;
      const b0 = store.io().bytesWritten;
      const w0 = store.io().writes;
      const t0 = performance.now();
      const transitions = engine.ingest(one, flip++ % 2 === 0 ? fail : ok);
      const t1 = performance.now();
      const { durable } = await store.appendTransitions(transitions);
      const t2 = performance.now();
      if (!durable || transitions.length !== 1) throw new Error(`sample ${i}: durable=${durable}, ${transitions.length} transitions`);
      if (measured) {
        e2e.push(t2 - t0);
        ingestUs.push((t1 - t0) * 1000);
        bytes += store.io().bytesWritten - b0;
        writes += store.io().writes - w0;
        events += transitions.length;
      }

      const s0 = performance.now();
      await store.appendTransitions([makeTransition('opened', `alone-${n++}`)]);
      if (measured) storeOnly.push(performance.now() - s0);
    }
    await store.close();
    return {
      pending,
      e2eP50Ms: round(percentile(e2e, 50), 3),
      e2eP99Ms: round(percentile(e2e, 99), 3),
      ingestP50Us: round(percentile(ingestUs, 50), 1),
      storeOnlyP50Ms: round(percentile(storeOnly, 50), 3),
      storeOnlyP99Ms: round(percentile(storeOnly, 99), 3),
      ratio: round(percentile(e2e, 50) / percentile(storeOnly, 50)),
      bytesPerEvent: Math.round(bytes / events),
      writesPerEvent: round(writes / events),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One ingest in which 1,000 subjects start failing, appended as one batch. */
async function burst(): Promise<{ transitions: number; ingestMs: number; appendMs: number; writes: number; bytes: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'guardpost-bench-engine-'));
  try {
    const store = await StateStore.open({ dir, outbox: LIMITS });
    const engine = newEngine(new Clock(), store.faults);
    const w0 = store.io().writes;
    const b0 = store.io().bytesWritten;
    const t0 = performance.now();
    const transitions = engine.ingest(check('many'), resultsFor(0, 1000, true));
    const t1 = performance.now();
    await store.appendTransitions(transitions);
    const t2 = performance.now();
    await store.close();
    return { transitions: transitions.length, ingestMs: round(t1 - t0, 1), appendMs: round(t2 - t1, 1), writes: store.io().writes - w0, bytes: store.io().bytesWritten - b0 };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const started = performance.now();
const engineRows = (['toggle', 'steady-ok', 'steady-fail'] as const).map(measureEngine);
const flap = flapping();
const storeRows: StoreRow[] = [];
for (const depth of DEPTHS) storeRows.push(await measureDepth(depth));
const b = await burst();

console.log(`Guardpost fault engine: ${CHECKS} checks × ${SUBJECTS} subjects, raiseAfter 1 / clearAfter 1, median of ${ROUNDS}, node ${process.version}`);
console.table(
  engineRows.map((r) => ({
    workload: r.workload,
    'results/s': r.resultsPerSec,
    'transitions/s': r.transitionsPerSec,
    'baseline structuredClone results/s': r.baselineResultsPerSec,
    'engine time / baseline': r.ratio,
  })),
);
console.log('toggle: every subject flips each round, 1 h apart (every result is a transition); steady-ok: no faults;');
console.log('steady-fail: faults open, results keep failing (updated in place, no transition)');
console.log(`flap damping: ${flap.alternations} fail/ok alternations 1 min apart × ${flap.subjects} subjects -> ${flap.transitions} transitions (${round(flap.transitions / flap.subjects, 1)} per subject)`);
console.log(`\nengine -> store: one transition per sample, appendTransitions awaited (fsynced), ${SAMPLES} samples per depth`);
console.table(
  storeRows.map((r) => ({
    pending: r.pending,
    'ingest p50 µs': r.ingestP50Us,
    'engine+store p50 ms': r.e2eP50Ms,
    'engine+store p99 ms': r.e2eP99Ms,
    'store alone p50 ms': r.storeOnlyP50Ms,
    'store alone p99 ms': r.storeOnlyP99Ms,
    'e2e / store alone': r.ratio,
    'bytes/event': r.bytesPerEvent,
    'writes/event': r.writesPerEvent,
  })),
);
console.log(`burst: one ingest -> ${b.transitions} transitions in ${b.ingestMs} ms, appended in ${b.appendMs} ms as ${b.writes} write(s) of ${b.bytes} bytes (${Math.round(b.bytes / b.transitions)} bytes/event)`);
console.log(`elapsed ${round((performance.now() - started) / 1000, 1)} s`);

const toggle = engineRows[0]!;
const steady = engineRows[1]!;
const summary: SummaryRow[] = [
  { figure: 'engine transitions/s', value: toggle.transitionsPerSec, unit: '/s', baseline: toggle.baselineResultsPerSec, ratio: round(toggle.transitionsPerSec / toggle.baselineResultsPerSec) },
  { figure: 'engine steady ingest results/s', value: steady.resultsPerSec, unit: '/s', baseline: steady.baselineResultsPerSec, ratio: round(steady.resultsPerSec / steady.baselineResultsPerSec) },
  ...storeRows.flatMap((r): SummaryRow[] => [
    { figure: `engine→store commit p50 @${r.pending}`, value: r.e2eP50Ms, unit: 'ms', baseline: r.storeOnlyP50Ms, ratio: r.ratio },
    { figure: `engine→store commit p99 @${r.pending}`, value: r.e2eP99Ms, unit: 'ms', baseline: r.storeOnlyP99Ms, ratio: round(r.e2eP99Ms / r.storeOnlyP99Ms) },
    { figure: `bytes written per event @${r.pending}`, value: r.bytesPerEvent, unit: 'B' },
  ]),
];
printBenchJson({ bench: 'engine', checks: CHECKS, subjects: SUBJECTS, engine: engineRows, flap, store: storeRows, burst: b, summary });
