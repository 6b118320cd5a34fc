import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readJsonFile } from '../json-file.js';
import { tempDir } from '../test-support/transitions.js';
import { livePath, monthPath } from './month-file.js';
import { RollupStore } from './rollup-store.js';

const WRITER = fileURLToPath(new URL('./test-support/rollup-writer.ts', import.meta.url));
const KILLS = 40;
const LANES = 4;

/** Starts the writer, SIGKILLs it at a random moment after its first durable flush; the last count it reported durable. */
function runAndKill(dir: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const kill = () => child.kill('SIGKILL');
    const watchdog = setTimeout(kill, 15_000);
    child.stdout.once('data', () => setTimeout(kill, Math.random() * 40));
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(watchdog);
      if (signal !== 'SIGKILL') return reject(new Error(`writer exited by itself (${String(code)}): ${err}`));
      const whole = out.slice(0, out.lastIndexOf('\n') + 1).trim().split('\n');
      resolve(Number(whole.at(-1) ?? 0));
    });
  });
}

async function lane(runs: number): Promise<number> {
  const { dir, remove } = await tempDir('guardpost-rollup-crash-');
  let reported = 0;
  try {
    for (let run = 0; run < runs; run++) {
      const durable = await runAndKill(dir);
      expect(durable, `run ${run}`).toBeGreaterThanOrEqual(reported); // each writer starts from what the last one left
      // Both files parse, or (killed between the renames) only their last good copies are there.
      for (const path of [monthPath(dir, '2026-12'), livePath(dir, '2026-12')]) {
        const file = await readJsonFile(path);
        if (file.kind !== 'missing') expect(file.kind, `run ${run}: ${file.kind === 'bad' ? file.reason : ''}`).toBe('ok');
      }
      const store = await RollupStore.open({ dir, months: 13, utcOffsetMinutes: 480, now: () => new Date(Date.UTC(2026, 11, 7, 4)) });
      try {
        expect(store.health().recovered?.movedTo, `run ${run}`).toBeUndefined(); // nothing was ever corrupt
        const n = Object.values(store.snapshot().checks.probe?.target ?? {}).reduce((sum, d) => sum + d.n, 0);
        expect(n, `run ${run}: ${durable} reported durable`).toBeGreaterThanOrEqual(durable);
        reported = n;
      } finally {
        await store.close();
      }
    }
    return reported;
  } finally {
    await remove();
  }
}

describe('RollupStore crash safety', () => {
  it(`keeps every roll-up reported durable across ${KILLS} SIGKILLs`, async () => {
    const lanes = await Promise.allSettled(Array.from({ length: LANES }, () => lane(KILLS / LANES)));
    for (const l of lanes) if (l.status === 'rejected') throw l.reason;
    const totals = lanes.map((l) => (l.status === 'fulfilled' ? l.value : 0));
    expect(Math.min(...totals)).toBeGreaterThan(50 * (KILLS / LANES)); // the writers really got to write
  }, 120_000);
});
