import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { waitFor } from './test-support/transitions.js';
import { WriteScheduler } from './write-scheduler.js';

/** A fake write that records what it persisted and can be told to fail. */
function fakeDisk() {
  const disk = { value: 0, current: 0, writes: [] as number[], failing: false, delayMs: 5 };
  const write = async () => {
    const snapshot = disk.current; // taken synchronously, as the real adapter does
    await sleep(disk.delayMs);
    if (disk.failing) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    disk.value = snapshot;
    disk.writes.push(snapshot);
  };
  return { disk, write };
}

describe('WriteScheduler', () => {
  it('coalesces a burst into few writes, and everything requested during a write into the next one', async () => {
    const { disk, write } = fakeDisk();
    const s = new WriteScheduler({ write });
    const answers: Promise<boolean>[] = [];
    for (let i = 1; i <= 100; i++) {
      disk.current = i;
      answers.push(s.request());
    }
    await sleep(1); // the first write is now in flight
    for (let i = 101; i <= 200; i++) {
      disk.current = i;
      answers.push(s.request());
    }
    expect(await Promise.all(answers)).toEqual(answers.map(() => true));
    expect(disk.writes).toEqual([100, 200]);
    expect(s.pending).toBe(false);
  });

  it('answers false when the write fails, retries with doubling backoff, and clears the error on success', async () => {
    const { disk, write } = fakeDisk();
    disk.delayMs = 0;
    const attempts: number[] = [];
    const errors: unknown[] = [];
    let retries = 0;
    const s = new WriteScheduler({
      write: () => (attempts.push(performance.now()), write()),
      beforeRetry: async () => void retries++,
      retry: { initialMs: 20, maxMs: 40 },
      now: () => new Date('2025-03-01T00:00:00Z'),
      onError: (e) => errors.push(e),
    });
    disk.failing = true;
    disk.current = 1;
    expect(await s.request()).toBe(false);
    expect(s.error).toEqual({ message: 'ENOSPC: no space left on device', since: '2025-03-01T00:00:00.000Z', failures: 1 });
    // While backing off, requests are answered at once instead of waiting for the retry.
    disk.current = 2;
    expect(await s.request()).toBe(false);
    await waitFor(() => (s.error?.failures ?? 0) >= 4, 5_000, 'four failed attempts');
    expect(retries).toBeGreaterThanOrEqual(3);
    expect(errors.length).toBe(s.error!.failures);
    expect(s.error!.since).toBe('2025-03-01T00:00:00.000Z'); // since the first failure
    // Delays 20, 40, 40 (capped): lower bounds only, timers never fire (much) early.
    const gaps = attempts.slice(1, 4).map((t, i) => t - attempts[i]!);
    expect(gaps[0]).toBeGreaterThanOrEqual(18);
    expect(gaps[1]).toBeGreaterThanOrEqual(38);
    expect(gaps[2]).toBeGreaterThanOrEqual(38);
    disk.failing = false;
    await waitFor(() => s.error === undefined, 5_000, 'the error to clear');
    expect(disk.value).toBe(2); // the retry carried the change made while failing
    disk.current = 3;
    expect(await s.request()).toBe(true);
    await s.close();
  });

  it('survives a throwing write and a throwing error observer', async () => {
    const s = new WriteScheduler({
      write: () => {
        throw new Error('sync boom');
      },
      retry: { initialMs: 10_000, maxMs: 10_000 },
      onError: () => {
        throw new Error('observer boom');
      },
    });
    expect(await s.request()).toBe(false);
    expect(s.error?.message).toBe('sync boom');
    await s.close();
  });

  it('close waits for the write in flight, makes one last attempt and then refuses', async () => {
    const { disk, write } = fakeDisk();
    disk.failing = true;
    const s = new WriteScheduler({ write, retry: { initialMs: 60_000, maxMs: 60_000 } });
    disk.current = 7;
    expect(await s.request()).toBe(false);
    disk.failing = false;
    expect(await s.close()).toBe(true); // did not wait a minute for the retry timer
    expect(disk.value).toBe(7);
    expect(await s.request()).toBe(false);
  });
});
