import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readStoredState } from './read-stored.js';
import { StateStore } from './state-store.js';
import { makeTransition, tempDir, waitFor } from './test-support/transitions.js';

const BIG = { maxEvents: 100_000, maxBytes: 100_000_000 };
const RETRY = { initialMs: 20, maxMs: 100 };

let root: string;
let remove: () => Promise<void>;
beforeEach(async () => ({ dir: root, remove } = await tempDir()));
afterEach(() => remove());

/** The outbox as the directory holds it (checkpoint + journal), read without changing it. */
const seqsOnDisk = async (dir: string) => (await readStoredState(dir)).state.outbox.map((t) => t.seq);

describe('StateStore write errors', () => {
  it('keeps running when the directory is replaced by a file, and catches up once it is back', async () => {
    const dir = join(root, 'state');
    const errors: unknown[] = [];
    const store = await StateStore.open({ dir, outbox: BIG, retry: { initialMs: 20, maxMs: 20 }, onWriteError: (e) => errors.push(e) });
    expect((await store.appendTransitions([makeTransition('opened', 'a')])).durable).toBe(true);

    await rm(dir, { recursive: true });
    await writeFile(dir, 'not a directory');
    const failed = await store.appendTransitions([makeTransition('opened', 'b')]);
    expect(failed.durable).toBe(false);
    expect(failed.transitions[0]!.seq).toBe(2);
    expect(store.durableSeq).toBe(1); // seq 2 lives only in memory for now
    const { writeError } = store.health();
    expect(writeError).toMatchObject({ failures: 1 });
    expect(writeError!.message).toMatch(/ENOTDIR/);
    expect(errors).toHaveLength(1);

    // The agent goes on from memory: more changes, answered at once while the retries fail.
    const more = await store.appendTransitions([makeTransition('opened', 'c')]);
    expect(more).toMatchObject({ durable: false, transitions: [{ seq: 3 }] });
    await waitFor(() => (store.health().writeError?.failures ?? 0) >= 3, 5_000, 'retries');
    expect(store.internalState.counters.stateWriteFailures).toBeGreaterThanOrEqual(3);

    await rm(dir);
    await mkdir(dir);
    await waitFor(() => store.health().writeError === undefined, 5_000, 'the retry to succeed');
    expect(await seqsOnDisk(dir)).toEqual([1, 2, 3]);
    expect(store.durableSeq).toBe(3);
    expect((await store.appendTransitions([makeTransition('opened', 'd')])).durable).toBe(true);
    await store.close();
  });

  it('recreates a removed directory on retry', async () => {
    const dir = join(root, 'state');
    const store = await StateStore.open({ dir, outbox: BIG, retry: RETRY });
    await store.appendTransitions([makeTransition('opened', 'a')]);
    await rm(dir, { recursive: true });
    const r = await store.appendTransitions([makeTransition('opened', 'b')]);
    expect(r.durable).toBe(false);
    expect(store.health().writeError!.message).toMatch(/ENOENT/);
    await waitFor(() => store.health().writeError === undefined, 5_000, 'the retry to succeed');
    expect(await seqsOnDisk(dir)).toEqual([1, 2]);
    await store.close();
  });

  it('opens without throwing where the directory cannot be created, and close does not throw either', async () => {
    const blocker = join(root, 'file');
    await writeFile(blocker, 'x');
    const store = await StateStore.open({ dir: join(blocker, 'state'), outbox: BIG, retry: RETRY });
    expect(store.health().recovered).toBeUndefined();
    expect((await store.appendTransitions([makeTransition('opened', 'a')])).durable).toBe(false);
    expect(store.health().writeError).toBeDefined();
    expect(store.internalState.outbox).toHaveLength(1);
    await store.close();
  });

  it('survives ENOSPC on a real full file system and catches up once space is freed, losing nothing', async (ctx) => {
    const dir = join(root, 'small');
    await mkdir(dir);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir], { stdio: 'ignore' });
    } catch {
      ctx.skip(); // needs root and mount rights (works in the test VM and CI, not on a developer laptop)
    }
    try {
      // Something else fills the disk (another program's logs, say), leaving the agent little room.
      await writeFile(join(dir, 'filler'), Buffer.alloc(192 * 1024));
      const store = await StateStore.open({ dir, outbox: BIG, retry: RETRY });
      const big = (i: number) => makeTransition('opened', `f${i}`, 'major', { changed: ['x'.repeat(4_000)] });
      let durable = true;
      for (let i = 0; durable && i < 50; i++) durable = (await store.appendTransitions([big(i)])).durable;
      expect(durable).toBe(false);
      expect(store.health().writeError!.message).toMatch(/ENOSPC/);
      expect(await readdir(dir)).not.toContain('state.json.tmp'); // no half-written temp file holding the space
      // More happens while the disk is full: it lives in memory, and the desk's ack is taken too.
      await store.appendTransitions([big(100), big(101)]);
      await store.ackUpTo(2);
      const inMemory = store.internalState.outbox.map((t) => t.seq);
      await rm(join(dir, 'filler')); // the operator frees space
      await waitFor(() => store.health().writeError === undefined, 5_000, 'the retry to succeed');
      expect(await seqsOnDisk(dir)).toEqual(inMemory);
      expect(inMemory[0]).toBe(3);
      expect(store.durableSeq).toBe(store.lastSeq);
      await store.close();
    } finally {
      execFileSync('umount', [dir], { stdio: 'ignore' });
    }
  });
});
