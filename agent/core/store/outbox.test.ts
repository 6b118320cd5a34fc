import { describe, expect, it } from 'vitest';
import type { FaultTransition } from '../faults/types.js';
import { ackOutbox, appendToOutbox, enforceCaps, evictionClass, evictionCounters, isDrained, outboxBytes, transitionBytes } from './outbox.js';
import { makeTransition, seqd } from './test-support/transitions.js';

const BIG = { maxEvents: 1_000, maxBytes: 10_000_000 };
const seqs = (list: FaultTransition[]) => list.map((t) => t.seq);

describe('outbox coalescing', () => {
  it('replaces an undelivered update of the same occurrence with the newer one, keeping the new seq', () => {
    const start = [seqd(1, makeTransition('opened', 'f1')), seqd(2, makeTransition('updated', 'f1', 'major', { changed: ['severity'] }))];
    const out = appendToOutbox(start, [seqd(3, makeTransition('updated', 'f1', 'major', { changed: ['inhibitedBy'] }))], BIG);
    expect(seqs(out.outbox)).toEqual([1, 3]);
    expect(seqs(out.coalesced)).toEqual([2]);
    // What changed in the replaced update still changed since the desk last heard.
    expect(out.outbox[1]!.changed).toEqual(['severity', 'inhibitedBy']);
  });

  it('coalesces a run of updates down to the last one', () => {
    let outbox: FaultTransition[] = [seqd(1, makeTransition('opened', 'f1'))];
    for (let s = 2; s <= 10; s++) outbox = appendToOutbox(outbox, [seqd(s, makeTransition('updated', 'f1'))], BIG).outbox;
    expect(seqs(outbox)).toEqual([1, 10]);
  });

  it('never coalesces opened, acknowledged or resolved, nor updates separated by them', () => {
    const start = [seqd(1, makeTransition('opened', 'f1')), seqd(2, makeTransition('updated', 'f1')), seqd(3, makeTransition('acknowledged', 'f1'))];
    const out = appendToOutbox(start, [seqd(4, makeTransition('updated', 'f1')), seqd(5, makeTransition('resolved', 'f1')), seqd(6, makeTransition('opened', 'f1'))], BIG);
    expect(seqs(out.outbox)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(out.coalesced).toEqual([]);
  });

  it('keeps updates of different occurrences apart, even of the same fault key', () => {
    const a = makeTransition('updated', 'occ-a');
    const b = makeTransition('updated', 'occ-b');
    b.fault.key = a.fault.key;
    const out = appendToOutbox([seqd(1, a)], [seqd(2, b), seqd(3, makeTransition('updated', 'occ-a'))], BIG);
    expect(seqs(out.outbox)).toEqual([2, 3]);
  });
});

describe('outbox caps and eviction', () => {
  it('caps by count, oldest first within a class', () => {
    const list = [1, 2, 3, 4, 5].map((s) => seqd(s, makeTransition('opened', `f${s}`, 'major')));
    const out = enforceCaps(list, { maxEvents: 3, maxBytes: 1e9 });
    expect(seqs(out.outbox)).toEqual([3, 4, 5]);
    expect(seqs(out.evicted)).toEqual([1, 2]);
  });

  it('caps by bytes (UTF-8 JSON length)', () => {
    const list = [1, 2, 3, 4].map((s) => seqd(s, makeTransition('resolved', `f${s}`, 'critical')));
    const one = transitionBytes(list[0]!);
    expect(one).toBe(Buffer.byteLength(JSON.stringify(list[0]), 'utf8'));
    const out = enforceCaps(list, { maxEvents: 100, maxBytes: one * 2 + 10 });
    expect(seqs(out.outbox)).toEqual([3, 4]);
    expect(outboxBytes(out.outbox)).toBeLessThanOrEqual(one * 2 + 10);
  });

  it('evicts across the classes in order: minor updates, other updates and acks, minor open/resolve, major, critical', () => {
    const list = [
      seqd(1, makeTransition('opened', 'c1', 'critical')),
      seqd(2, makeTransition('opened', 'M1', 'major')),
      seqd(3, makeTransition('resolved', 'm1', 'minor')),
      seqd(4, makeTransition('acknowledged', 'c2', 'critical')),
      seqd(5, makeTransition('updated', 'M2', 'major')),
      seqd(6, makeTransition('updated', 'm2', 'minor')),
      seqd(7, makeTransition('resolved', 'c3', 'critical')),
      seqd(8, makeTransition('updated', 'm3', 'minor')),
    ];
    expect(list.map(evictionClass)).toEqual([5, 4, 3, 2, 2, 1, 5, 1]);
    const evictedAt = (max: number) => seqs(enforceCaps(list, { maxEvents: max, maxBytes: 1e9 }).evicted);
    expect(evictedAt(7)).toEqual([6]); // (1) minor updates, oldest first
    expect(evictedAt(6)).toEqual([6, 8]);
    expect(evictedAt(5)).toEqual([4, 6, 8]); // (2) the ack and the major update, oldest first
    expect(evictedAt(4)).toEqual([4, 5, 6, 8]);
    expect(evictedAt(3)).toEqual([3, 4, 5, 6, 8]); // (3) minor resolved
    expect(evictedAt(2)).toEqual([2, 3, 4, 5, 6, 8]); // (4) major before critical
    expect(evictedAt(1)).toEqual([1, 2, 3, 4, 5, 6, 8]); // then critical, oldest first
    expect(evictedAt(0)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('may evict the transition just appended when it is the lowest class', () => {
    const full = [seqd(1, makeTransition('opened', 'a', 'critical')), seqd(2, makeTransition('opened', 'b', 'major'))];
    const out = appendToOutbox(full, [seqd(3, makeTransition('updated', 'c', 'minor'))], { maxEvents: 2, maxBytes: 1e9 });
    expect(seqs(out.outbox)).toEqual([1, 2]);
    expect(seqs(out.evicted)).toEqual([3]);
  });

  it('coalesces before applying the caps', () => {
    const full = [seqd(1, makeTransition('opened', 'a')), seqd(2, makeTransition('updated', 'a'))];
    const out = appendToOutbox(full, [seqd(3, makeTransition('updated', 'a'))], { maxEvents: 2, maxBytes: 1e9 });
    expect(seqs(out.outbox)).toEqual([1, 3]);
    expect(out.evicted).toEqual([]);
  });

  it('names the counters of an eviction', () => {
    expect(evictionCounters(seqd(1, makeTransition('updated', 'a', 'minor')))).toEqual(['outboxEvicted', 'outboxEvicted.minor.updated']);
  });

  it('does not touch its input', () => {
    const list = [1, 2, 3].map((s) => seqd(s, makeTransition('opened', `f${s}`)));
    enforceCaps(list, { maxEvents: 1, maxBytes: 1e9 });
    appendToOutbox(list, [seqd(4, makeTransition('opened', 'x'))], { maxEvents: 1, maxBytes: 1e9 });
    expect(seqs(list)).toEqual([1, 2, 3]);
  });
});

describe('outbox ack and drain', () => {
  it('removes everything up to the acked seq (cumulative)', () => {
    const list = [2, 4, 6, 8].map((s) => seqd(s, makeTransition('opened', `f${s}`)));
    expect(seqs(ackOutbox(list, 5).outbox)).toEqual([6, 8]);
    expect(ackOutbox(list, 5).removed).toBe(2);
    expect(ackOutbox(list, 1).removed).toBe(0);
    expect(ackOutbox(list, 100).outbox).toEqual([]);
  });

  it('is drained only below half of both caps', () => {
    const list = [1, 2].map((s) => seqd(s, makeTransition('opened', `f${s}`)));
    const bytes = outboxBytes(list);
    expect(isDrained(list, { maxEvents: 5, maxBytes: bytes * 3 })).toBe(true);
    expect(isDrained(list, { maxEvents: 4, maxBytes: bytes * 3 })).toBe(false); // 2 is not below 4/2
    expect(isDrained(list, { maxEvents: 10, maxBytes: bytes * 2 })).toBe(false);
  });
});
