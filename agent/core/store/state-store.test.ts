import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { outboxBytes } from './outbox.js';
import { readStoredState } from './read-stored.js';
import { StateStore } from './state-store.js';
import { makeTransition, tempDir, waitFor } from './test-support/transitions.js';
import type { OutboxLimits } from './types.js';

const BIG: OutboxLimits = { maxEvents: 100_000, maxBytes: 100_000_000 };

let dir: string;
let remove: () => Promise<void>;
beforeEach(async () => ({ dir, remove } = await tempDir()));
afterEach(() => remove());

const open = (outbox: OutboxLimits = BIG, checkStateDelayMs = 10) => StateStore.open({ dir, outbox, checkStateDelayMs });
/** What the directory holds (checkpoint + journal), read without changing it. */
const onDisk = async () => (await readStoredState(dir)).state;

describe('StateStore batching', () => {
  it('makes 1000 concurrent appends durable in a handful of writes, seqs 1..1000 in order', async () => {
    const store = await open();
    const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => store.appendTransitions([makeTransition('opened', `f${i}`)])));
    expect(results.every((r) => r.durable)).toBe(true);
    const seqs = results.map((r) => r.transitions[0]!.seq);
    expect(seqs).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(store.io().writes).toBeLessThanOrEqual(3);
    expect((await onDisk()).outbox).toHaveLength(1000);
    await store.close();
  });

  it('coalesces commits made while a write is in flight into one next write', async () => {
    const store = await open();
    const first = store.appendTransitions([makeTransition('opened', 'a')]);
    await new Promise((r) => setImmediate(r)); // the first write has started
    const rest = Array.from({ length: 200 }, (_, i) => store.appendTransitions([makeTransition('opened', `b${i}`)]));
    expect((await first).durable).toBe(true);
    expect((await Promise.all(rest)).every((r) => r.durable)).toBe(true);
    expect(store.io().writes).toBe(2);
    await store.close();
  });

  it('stores snapshots: later changes to the caller’s fault do not change the stored transition', async () => {
    const store = await open();
    const t = makeTransition('opened', 'a');
    await store.appendTransitions([t]);
    t.fault.occurrences = 42;
    expect(store.internalState.outbox[0]!.fault.occurrences).toBe(1);
    await store.close();
  });
});

describe('StateStore outbox', () => {
  it('never reuses a seq, across acks, evictions and restarts', async () => {
    const s1 = await open({ maxEvents: 3, maxBytes: 1e9 });
    await s1.appendTransitions([1, 2, 3, 4, 5].map((i) => makeTransition('opened', `f${i}`)));
    expect(s1.internalState.outbox.map((t) => t.seq)).toEqual([3, 4, 5]);
    await s1.ackUpTo(5);
    expect(s1.internalState.outbox).toEqual([]);
    await s1.close();
    const s2 = await open({ maxEvents: 3, maxBytes: 1e9 });
    expect(s2.internalState.seq).toBe(5);
    const { transitions } = await s2.appendTransitions([makeTransition('opened', 'g')]);
    expect(transitions[0]!.seq).toBe(6);
    await s2.close();
  });

  it('coalesces updates through the store and counts it', async () => {
    const store = await open();
    await store.appendTransitions([makeTransition('opened', 'a'), makeTransition('updated', 'a')]);
    await store.appendTransitions([makeTransition('updated', 'a')]);
    expect(store.internalState.outbox.map((t) => [t.seq, t.kind])).toEqual([
      [1, 'opened'],
      [3, 'updated'],
    ]);
    expect(store.internalState.counters.outboxCoalesced).toBe(1);
    await store.close();
  });

  it('acks cumulatively and persists it', async () => {
    const store = await open();
    await store.appendTransitions([1, 2, 3, 4].map((i) => makeTransition('opened', `f${i}`)));
    await store.ackUpTo(2);
    expect(store.internalState.outbox.map((t) => t.seq)).toEqual([3, 4]);
    await store.close();
    expect((await onDisk()).outbox.map((t) => t.seq)).toEqual([3, 4]);
  });

  it('counts evictions by class and flags overflow until the outbox drains below half of both caps', async () => {
    const store = await open({ maxEvents: 4, maxBytes: 1e9 });
    await store.appendTransitions([
      makeTransition('opened', 'c', 'critical'),
      makeTransition('opened', 'M', 'major'),
      makeTransition('acknowledged', 'M2', 'major'),
      makeTransition('opened', 'm', 'minor'),
    ]);
    expect(store.health()).toMatchObject({ overflowing: false, evicted: 0, outboxDepth: 4 });
    // A new minor update is itself the lowest class: it goes, not the older ones.
    await store.appendTransitions([makeTransition('updated', 'm2', 'minor')]);
    expect(store.internalState.outbox.map((t) => t.seq)).toEqual([1, 2, 3, 4]);
    await store.appendTransitions([makeTransition('resolved', 'c', 'critical'), makeTransition('opened', 'x', 'major')]);
    // Then the acknowledged (class 2) and the minor opened (class 3); major and critical stay.
    expect(store.internalState.outbox.map((t) => t.seq)).toEqual([1, 2, 6, 7]);
    expect(store.internalState.counters).toMatchObject({
      outboxEvicted: 3,
      'outboxEvicted.minor.updated': 1,
      'outboxEvicted.major.acknowledged': 1,
      'outboxEvicted.minor.opened': 1,
    });
    expect(store.health()).toMatchObject({ overflowing: true, evicted: 3, outboxDepth: 4 });
    await store.ackUpTo(2); // 2 left: not below half of 4
    expect(store.health().overflowing).toBe(true);
    await store.close();
    const again = await open({ maxEvents: 4, maxBytes: 1e9 });
    expect(again.health().overflowing).toBe(true); // survives a restart
    await again.ackUpTo(6); // 1 left
    expect(again.health().overflowing).toBe(false);
    expect(again.health().evicted).toBe(3); // the total stays
    await again.close();
  });

  it('reports depth, bytes and the oldest pending time', async () => {
    const store = await open();
    expect(store.health()).toEqual({ outboxDepth: 0, outboxBytes: 0, evicted: 0, overflowing: false });
    await store.appendTransitions([makeTransition('opened', 'a', 'major', { at: '2025-02-01T00:00:00.000Z' }), makeTransition('opened', 'b')]);
    const h = store.health();
    expect(h.outboxDepth).toBe(2);
    expect(h.outboxBytes).toBe(outboxBytes(store.internalState.outbox));
    expect(h.oldestPendingAt).toBe('2025-02-01T00:00:00.000Z');
    await store.close();
  });
});

describe('StateStore check state and commit', () => {
  it('persists check state through a batched commit, copying values in and out', async () => {
    const store = await open();
    const handle = store.checkState('log-scan');
    expect(handle.get()).toBeUndefined();
    const value = { offset: 10, file: 'a.log' };
    handle.set(value);
    value.offset = 99;
    expect(handle.get<{ offset: number }>()!.offset).toBe(10);
    handle.set({ offset: 20, file: 'a.log' });
    handle.set({ offset: 30, file: 'a.log' });
    await waitFor(() => store.adapter.writes > 0, 5_000, 'the batched commit');
    expect(store.adapter.writes).toBe(1);
    expect((await onDisk()).checkState['log-scan']).toEqual({ offset: 30, file: 'a.log' });
    handle.set(undefined);
    await store.close(); // flushes the pending check-state write
    const again = await open();
    expect(again.checkState('log-scan').get()).toBeUndefined();
    await again.close();
  });

  it('commits changes to faults made by the caller', async () => {
    const store = await open();
    store.faults.put({ ...makeTransition('opened', 'a').fault, key: 'k' });
    expect(await store.commit()).toBe(true);
    expect(Object.keys((await onDisk()).faults)).toEqual(['k']);
    await store.close();
    expect(await store.commit()).toBe(false); // closed: refused, never rejected
  });
});
