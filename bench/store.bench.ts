/**
 * Durable store benchmark: commit latency of one transition at several outbox depths, the bytes written per event
 * (write amplification: each commit rewrites the whole state.json), and a same-run baseline of plain writes of the
 * same bytes without and with fsync, so the cost of durability can be told from the cost of the disk.
 * Run: node --import tsx bench/store.bench.ts   (last line: BENCH_JSON {...})
 */
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { serializeState } from '../agent/core/store/state-serialize.js';
import { StateStore } from '../agent/core/store/state-store.js';
import { makeTransition } from '../agent/core/store/test-support/transitions.js';

const DEPTHS = [0, 1_000, 10_000];
const SAMPLES = 200;
const LIMITS = { maxEvents: 1_000_000, maxBytes: 1_000_000_000 };

interface Row {
  pending: number;
  stateBytes: number;
  commitP50Ms: number;
  commitP99Ms: number;
  bytesPerEvent: number;
  /** Plain JSON.stringify of the whole state: what a naive store pays per commit. */
  stringifyP50Ms: number;
  /** The store's serializer, which reuses each transition's cached encoding. */
  serializeP50Ms: number;
  writeFileP50Ms: number;
  writeFileP99Ms: number;
  writeFsyncP50Ms: number;
  writeFsyncP99Ms: number;
  /** Store commit p50 over plain write+fsync p50: what the store adds on top of a durable write. */
  overFsyncRatio: number;
  /** Store commit p50 over plain writeFile p50: the whole cost of durability and bookkeeping. */
  overWriteFileRatio: number;
}

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function timed(n: number, fn: () => Promise<unknown> | unknown): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

const round = (x: number, digits = 2) => Number(x.toFixed(digits));
const transition = (i: number) => makeTransition(i % 2 ? 'opened' : 'resolved', `bench-${i}`, i % 3 ? 'major' : 'minor');

async function measureDepth(pending: number): Promise<Row> {
  const dir = await mkdtemp(join(tmpdir(), 'guardpost-bench-'));
  try {
    const store = await StateStore.open({ dir, outbox: LIMITS });
    if (pending > 0) await store.appendTransitions(Array.from({ length: pending }, (_, i) => transition(i)));
    let n = pending;
    const appendOne = async () => {
      const { durable } = await store.appendTransitions([transition(n++)]);
      if (!durable) throw new Error('write failed during the benchmark');
      // Outside the timing: drop it again (as if delivered) so the outbox stays at `pending` for every sample.
      store.data.outbox.pop();
    };
    await timed(5, appendOne); // warm-up
    const bytesBefore = store.adapter.bytesWritten;
    const commits = await timed(SAMPLES, appendOne);
    const bytesPerEvent = (store.adapter.bytesWritten - bytesBefore) / SAMPLES;

    // Baseline: the same bytes a commit writes (the state with one more event), written plainly.
    store.data.outbox.push({ seq: ++store.data.seq, ...transition(n++) });
    const bytes = Buffer.from(JSON.stringify(store.data), 'utf8');
    const stringify = await timed(SAMPLES, () => Buffer.from(JSON.stringify(store.data), 'utf8'));
    const serialize = await timed(SAMPLES, () => serializeState(store.data));
    await store.close();
    const plain = join(dir, 'plain.json');
    const noSync = await timed(SAMPLES, () => writeFile(plain, bytes));
    const withSync = await timed(SAMPLES, async () => {
      const fh = await open(plain, 'w');
      try {
        await fh.writeFile(bytes);
        await fh.sync();
      } finally {
        await fh.close();
      }
    });
    const commitP50 = percentile(commits, 50);
    return {
      pending,
      stateBytes: bytes.length,
      commitP50Ms: round(commitP50, 3),
      commitP99Ms: round(percentile(commits, 99), 3),
      bytesPerEvent: Math.round(bytesPerEvent),
      stringifyP50Ms: round(percentile(stringify, 50), 3),
      serializeP50Ms: round(percentile(serialize, 50), 3),
      writeFileP50Ms: round(percentile(noSync, 50), 3),
      writeFileP99Ms: round(percentile(noSync, 99), 3),
      writeFsyncP50Ms: round(percentile(withSync, 50), 3),
      writeFsyncP99Ms: round(percentile(withSync, 99), 3),
      overFsyncRatio: round(commitP50 / percentile(withSync, 50)),
      overWriteFileRatio: round(commitP50 / percentile(noSync, 50)),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** 1000 concurrent appends: how many file writes the coalescing turns them into. */
async function measureBurst(): Promise<{ events: number; writes: number; totalMs: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'guardpost-bench-'));
  try {
    const store = await StateStore.open({ dir, outbox: LIMITS });
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 1_000 }, (_, i) => store.appendTransitions([transition(i)])));
    const totalMs = performance.now() - t0;
    await store.close();
    return { events: 1_000, writes: store.adapter.writes, totalMs: round(totalMs, 1) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const started = performance.now();
const rows: Row[] = [];
for (const depth of DEPTHS) rows.push(await measureDepth(depth));
const burst = await measureBurst();

console.log(`Guardpost durable store, ${SAMPLES} samples per depth, temp dir ${tmpdir()}, node ${process.version}`);
console.table(
  rows.map((r) => ({
    pending: r.pending,
    'state KB': round(r.stateBytes / 1024, 1),
    'commit p50 ms': r.commitP50Ms,
    'commit p99 ms': r.commitP99Ms,
    'bytes/event': r.bytesPerEvent,
    'stringify p50': r.stringifyP50Ms,
    'serialize p50': r.serializeP50Ms,
    'writeFile p50': r.writeFileP50Ms,
    'write+fsync p50': r.writeFsyncP50Ms,
    'write+fsync p99': r.writeFsyncP99Ms,
    'commit/fsync': r.overFsyncRatio,
    'commit/writeFile': r.overWriteFileRatio,
  })),
);
console.log('stringify = JSON.stringify + UTF-8 encode of the state (naive); serialize = the store\'s cached encoding');
console.log(`burst: ${burst.events} concurrent appends -> ${burst.writes} file writes in ${burst.totalMs} ms`);
const elapsedS = round((performance.now() - started) / 1000, 1);
console.log(`elapsed ${elapsedS} s`);
console.log(`BENCH_JSON ${JSON.stringify({ bench: 'store', samples: SAMPLES, rows, burst, elapsedS })}`);
