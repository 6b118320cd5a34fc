import { spawn } from 'node:child_process';
import { cp, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readJsonFile } from './json-file.js';
import { readStoredState } from './read-stored.js';
import { StateStore } from './state-store.js';
import { tempDir } from './test-support/transitions.js';

const WRITER = fileURLToPath(new URL('./test-support/crash-writer.ts', import.meta.url));
const LIMITS = { maxEvents: 1_000_000, maxBytes: 1_000_000_000 };
/** Kills in total; four lanes run side by side (each reusing its own directory across its runs) to stay under a minute. */
const KILLS = 100;
const LANES = 4;

interface Run {
  /** seq → fault id, for every transition the child reported durable before it died. */
  reported: Map<number, string>;
}

/** Starts the writer, kills it with SIGKILL at a random moment, returns what it reported durable. */
function runAndKill(dir: string, ackBelow: number, run: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dir, String(ackBelow)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const kill = () => child.kill('SIGKILL');
    const watchdog = setTimeout(kill, 15_000);
    if (run % 5 === 0) {
      setTimeout(kill, 100 + Math.random() * 300); // sometimes during start-up: open, recovery, the ack
    } else {
      child.stdout.once('data', () => setTimeout(kill, Math.random() * 60));
    }
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      clearTimeout(watchdog);
      if (signal !== 'SIGKILL') return reject(new Error(`writer exited by itself (${String(_code)}): ${err}`));
      const reported = new Map<number, string>();
      for (const line of out.split('\n')) {
        const [seq, id] = line.split(' ');
        // A line cut by the kill is incomplete; the last full line ends with '\n'.
        if (seq && id && out.includes(`${line}\n`)) reported.set(Number(seq), id);
      }
      resolve({ reported });
    });
  });
}

interface Stats {
  restoredFromBak: number;
  reported: number;
  tornTails: number;
}

async function lane(runs: number, stats: Stats): Promise<void> {
  const { dir, remove } = await tempDir('guardpost-crash-');
  try {
    let acked = 0; // everything up to here was verified and is acked by the next writer at its start
    let highest = 0; // highest seq seen: later ones must be greater
    let tornTails = 0;
    for (let run = 0; run < runs; run++) {
      const { reported } = await runAndKill(dir, acked, run);
      stats.reported += reported.size;

      // The raw files, read without repairing anything: state.json parses (or is absent, or only its .bak is there
      // after a kill between the renames), and every journal record is whole except, at most, the newest segment's
      // last: Linux cuts a write of several pages short when SIGKILL arrives between pages, so a torn tail is what a
      // crash may leave (never a record reported durable: its fdatasync had not returned, checked below).
      const main = await readJsonFile(join(dir, 'state.json'));
      if (main.kind === 'missing' && (await readJsonFile(join(dir, 'state.json.bak'))).kind === 'ok') stats.restoredFromBak++;
      else if (main.kind !== 'missing') expect(main.kind, `run ${run}: ${main.kind === 'bad' ? main.reason : ''}`).toBe('ok');
      const problems = (await readStoredState(dir)).problems;
      const torn = await tornTailOfNewestSegment(dir, problems);
      if (torn) tornTails++;
      expect(problems.filter((p) => p !== torn), `run ${run}`).toEqual([]);

      // Open a copy (the next writer starts on the real leftovers) and check every reported seq is there.
      const copy = `${dir}-verify`;
      await cp(dir, copy, { recursive: true });
      const store = await StateStore.open({ dir: copy, outbox: LIMITS });
      try {
        // Only a torn tail is ever cut, and only when there was one.
        if (torn) expect(store.health().recovered?.reason, `run ${run}`).toMatch(/torn record at offset \d+ .*; cut \d+ bytes/);
        else expect(store.health().recovered?.movedTo, `run ${run}: ${store.health().recovered?.reason}`).toBeUndefined();
        const stored = new Map(store.internalState.outbox.map((t) => [t.seq, t.fault.id]));
        for (const [seq, id] of reported) {
          if (seq > acked) expect(stored.get(seq), `run ${run}: seq ${seq} reported durable but lost`).toBe(id);
          expect(seq, `run ${run}: seq ${seq} reused`).toBeGreaterThan(highest);
        }
        const seqs = store.internalState.outbox.map((t) => t.seq);
        expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
        expect(store.internalState.seq).toBeGreaterThanOrEqual(Math.max(0, ...reported.keys()));
        highest = Math.max(highest, ...reported.keys());
        acked = store.internalState.seq;
      } finally {
        await store.close();
        await rm(copy, { recursive: true, force: true });
      }
    }
    // Nothing but torn tails was ever moved aside: a crash never corrupts a whole record.
    const movedAside = (await readdir(dir, { recursive: true })).filter((n) => n.includes('.corrupt-'));
    expect(movedAside.length).toBeLessThanOrEqual(tornTails);
    stats.tornTails += tornTails;
  } finally {
    await remove();
  }
}

/** The problem that is a torn last record of the newest segment, reaching the file's end; undefined when none is. */
async function tornTailOfNewestSegment(dir: string, problems: string[]): Promise<string | undefined> {
  const segments = (await readdir(join(dir, 'outbox')).catch(() => [] as string[])).filter((n) => n.endsWith('.seg')).sort();
  const newest = segments.at(-1);
  if (!newest) return undefined;
  const path = join(dir, 'outbox', newest);
  const size = (await stat(path)).size;
  return problems.find((p) => {
    const m = /^(.*): torn record at offset (\d+) .*would cut (\d+) bytes$/.exec(p);
    return m !== null && m[1] === path && Number(m[2]) + Number(m[3]) === size;
  });
}

describe('StateStore crash safety', () => {
  it(`keeps every transition reported durable across ${KILLS} SIGKILLs`, async () => {
    const stats: Stats = { restoredFromBak: 0, reported: 0, tornTails: 0 };
    // allSettled: if one lane fails, the others still finish and remove their directories.
    const lanes = await Promise.allSettled(Array.from({ length: LANES }, () => lane(KILLS / LANES, stats)));
    for (const l of lanes) if (l.status === 'rejected') throw l.reason;
    expect(stats.reported).toBeGreaterThan(KILLS); // the writers really got to write
    console.log(`crash test: ${KILLS} kills, ${stats.reported} transitions reported durable, ${stats.restoredFromBak} kills between the renames, ${stats.tornTails} torn tails cut`);
  }, 120_000);
});
