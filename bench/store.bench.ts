/**
 * Durable store benchmark: commit latency of one transition at several outbox depths (0, 1k, 10k pending), the bytes
 * written per event, and baselines measured in the same run on the same disk:
 *  - append: the event's own journal record appended to a file and fdatasynced: the least a durable commit can cost;
 *  - rewrite: the whole state (outbox included) written to a temp file, fsynced and renamed, as the single-file
 *    store did before the journal: what the journal saves.
 * Targets: bytes per event < 2 KB at any backlog; commit p99 at 10k pending within 2x of an empty outbox.
 * Run: node --import tsx bench/store.bench.ts   (last line: BENCH_JSON {...})
 */
import { mkdtemp, open, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { encodeRecord } from '../agent/core/store/journal/record.js';
import { StateStore } from '../agent/core/store/state-store.js';
import { makeTransition } from '../agent/core/store/test-support/transitions.js';
import { percentile, printBenchJson, round, type SummaryRow } from './support/bench-util.js';

const DEPTHS = [0, 1_000, 10_000];
const SAMPLES = 300;
const LIMITS = { maxEvents: 1_000_000, maxBytes: 1_000_000_000 };
const BYTES_TARGET = 2048;
const P99_RATIO_TARGET = 2;

interface Row {
  pending: number;
  commitP50Ms: number;
  commitP99Ms: number;
  bytesPerEvent: number;
  appendP50Ms: number;
  appendP99Ms: number;
  rewriteP50Ms: number;
  rewriteBytes: number;
}

async function timed(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

const transition = (i: number) => makeTransition(i % 2 ? 'opened' : 'resolved', `bench-${i}`, i % 3 ? 'major' : 'minor');

async function measureDepth(pending: number): Promise<Row> {
  const dir = await mkdtemp(join(tmpdir(), 'guardpost-bench-store-'));
  try {
    // No checkpoint timer during the samples: they measure the journal; checkpoints are counted by the burst below.
    const store = await StateStore.open({ dir, outbox: LIMITS, checkpointDelayMs: 3_600_000 });
    if (pending > 0) await store.appendTransitions(Array.from({ length: pending }, (_, i) => transition(i)));
    let n = pending;
    const appendOne = async () => {
      const { durable } = await store.appendTransitions([transition(n++)]);
      if (!durable) throw new Error('write failed during the benchmark');
    };
    await timed(5, appendOne); // warm-up; the backlog grows by the samples (10,000 -> 10,305), no acks
    const before = store.io().bytesWritten;
    const commits = await timed(SAMPLES, appendOne);
    const bytesPerEvent = (store.io().bytesWritten - before) / SAMPLES;
    const stateBytes = Buffer.from(JSON.stringify({ outbox: store.pendingTransitions() }), 'utf8');
    await store.close();

    // Baseline 1: one record appended and fdatasynced, nothing else.
    const record = encodeRecord({ kind: 'transition', transition: { seq: n, ...transition(n) } });
    const plain = join(dir, 'plain.log');
    const handle = await open(plain, 'a');
    const appends = await timed(SAMPLES, async () => {
      await handle.write(record);
      await handle.datasync();
    });
    await handle.close();
    // Baseline 2: the whole state rewritten durably per commit (the store before the journal).
    const whole = join(dir, 'whole.json');
    const rewrites = await timed(Math.min(SAMPLES, pending >= 10_000 ? 60 : SAMPLES), async () => {
      const fh = await open(`${whole}.tmp`, 'w');
      try {
        await fh.writeFile(stateBytes);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(`${whole}.tmp`, whole);
    });
    return {
      pending,
      commitP50Ms: round(percentile(commits, 50), 3),
      commitP99Ms: round(percentile(commits, 99), 3),
      bytesPerEvent: Math.round(bytesPerEvent),
      appendP50Ms: round(percentile(appends, 50), 3),
      appendP99Ms: round(percentile(appends, 99), 3),
      rewriteP50Ms: round(percentile(rewrites, 50), 3),
      rewriteBytes: stateBytes.length,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** 1000 concurrent appends: how many writes the coalescing turns them into. */
async function measureBurst(): Promise<{ events: number; writes: number; totalMs: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'guardpost-bench-store-'));
  try {
    const store = await StateStore.open({ dir, outbox: LIMITS });
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 1_000 }, (_, i) => store.appendTransitions([transition(i)])));
    const totalMs = performance.now() - t0;
    const { writes } = store.io();
    await store.close();
    return { events: 1_000, writes, totalMs: round(totalMs, 1) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A day of a desk that acks everything: 20,000 events appended and acked in batches; what the disk saw per event. */
async function measureSteadyDelivery(): Promise<{ events: number; bytesPerEvent: number; segmentsLeft: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'guardpost-bench-store-'));
  try {
    const store = await StateStore.open({ dir, outbox: LIMITS, segmentBytes: 256 * 1024 });
    const events = 20_000;
    for (let i = 0; i < events; i += 50) {
      await store.appendTransitions(Array.from({ length: 50 }, (_, k) => transition(i + k)));
      await store.ackUpTo(store.lastSeq);
    }
    const { bytesWritten, journalSegments } = store.io();
    await store.close();
    return { events, bytesPerEvent: Math.round(bytesWritten / events), segmentsLeft: journalSegments };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const started = performance.now();
const rows: Row[] = [];
for (const depth of DEPTHS) rows.push(await measureDepth(depth));
const burst = await measureBurst();
const steady = await measureSteadyDelivery();

console.log(`Guardpost durable store (outbox journal + state.json checkpoint), ${SAMPLES} commits per depth, temp dir ${tmpdir()}, node ${process.version}`);
console.table(
  rows.map((r) => ({
    pending: r.pending,
    'commit p50 ms': r.commitP50Ms,
    'commit p99 ms': r.commitP99Ms,
    'bytes/event': r.bytesPerEvent,
    'append+datasync p50': r.appendP50Ms,
    'append+datasync p99': r.appendP99Ms,
    'commit/append p50': round(r.commitP50Ms / r.appendP50Ms),
    'whole-state rewrite p50': r.rewriteP50Ms,
    'whole-state bytes': r.rewriteBytes,
  })),
);
const empty = rows[0]!;
const deep = rows.at(-1)!;
const p99Ratio = round(deep.commitP99Ms / empty.commitP99Ms);
const worstBytes = Math.max(...rows.map((r) => r.bytesPerEvent));
console.log(`commit p99 at ${deep.pending} pending / empty: ${p99Ratio}x (target <= ${P99_RATIO_TARGET}x); worst bytes per event ${worstBytes} (target < ${BYTES_TARGET})`);
console.log(`burst: ${burst.events} concurrent appends -> ${burst.writes} writes in ${burst.totalMs} ms`);
console.log(`steady delivery: ${steady.events} events appended and acked, ${steady.bytesPerEvent} bytes written per event (journal + checkpoints + deletions), ${steady.segmentsLeft} segment(s) left`);
const elapsedS = round((performance.now() - started) / 1000, 1);
console.log(`elapsed ${elapsedS} s`);

const summary: SummaryRow[] = [
  ...rows.map((r): SummaryRow => ({
    figure: `store: bytes written per event at ${r.pending} pending`,
    value: r.bytesPerEvent,
    unit: 'B',
    baseline: r.rewriteBytes,
    ratio: round(r.bytesPerEvent / Math.max(1, r.rewriteBytes), 4),
    target: `< ${BYTES_TARGET}`,
    verdict: r.bytesPerEvent < BYTES_TARGET ? 'PASS' : 'MISS',
  })),
  ...rows.map((r): SummaryRow => ({ figure: `store: commit p99 at ${r.pending} pending`, value: r.commitP99Ms, unit: 'ms', baseline: r.appendP99Ms, ratio: round(r.commitP99Ms / r.appendP99Ms) })),
  { figure: `store: commit p99 at ${deep.pending} pending vs empty`, value: deep.commitP99Ms, unit: 'ms', baseline: empty.commitP99Ms, ratio: p99Ratio, target: `<= ${P99_RATIO_TARGET}x`, verdict: p99Ratio <= P99_RATIO_TARGET ? 'PASS' : 'MISS' },
  { figure: 'store: bytes per event, steady delivery with acks', value: steady.bytesPerEvent, unit: 'B', target: `< ${BYTES_TARGET}`, verdict: steady.bytesPerEvent < BYTES_TARGET ? 'PASS' : 'MISS' },
];
printBenchJson({ bench: 'store', samples: SAMPLES, rows, burst, steady, elapsedS, summary });
