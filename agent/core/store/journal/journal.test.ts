import { cp, readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readStoredState } from '../read-stored.js';
import { StateStore } from '../state-store.js';
import { makeTransition, tempDir } from '../test-support/transitions.js';
import type { OutboxLimits } from '../types.js';

const BIG: OutboxLimits = { maxEvents: 1_000_000, maxBytes: 1_000_000_000 };
const NOW = new Date('2026-06-01T08:00:00.000Z');

let dir: string;
let remove: () => Promise<void>;
beforeEach(async () => ({ dir, remove } = await tempDir('guardpost-journal-')));
afterEach(() => remove());

const open = (over: Partial<Parameters<typeof StateStore.open>[0]> = {}) => StateStore.open({ dir, outbox: BIG, now: () => NOW, ...over });
const segments = async () => (await readdir(join(dir, 'outbox'))).filter((n) => n.endsWith('.seg')).sort();
const lastSegment = async () => join(dir, 'outbox', (await segments()).at(-1)!);

describe('outbox journal: damage', () => {
  it('cuts a torn tail, reports it, keeps the cut bytes and every whole record before it', async () => {
    const store = await open();
    await store.appendTransitions([1, 2, 3].map((i) => makeTransition('opened', `f${i}`)));
    await store.close();
    const seg = await lastSegment();
    const size = (await stat(seg)).size;
    await truncate(seg, size - 10); // power lost while the last record was being written

    const again = await open();
    const { recovered } = again.health();
    expect(recovered!.reason).toMatch(/0000000001\.seg: torn record at offset \d+ \(record of \d+ bytes, only \d+ present\); cut \d+ bytes, kept in .*\.corrupt-20260601T080000\.000Z/);
    expect(recovered!.movedTo).toMatch(/\.seg\.corrupt-/);
    expect(again.pendingTransitions().map((t) => t.seq)).toEqual([1, 2]);
    expect(again.counters().stateRecoveries).toBe(1);
    // The lost record's seq is never handed out again: the checkpoint written at close knew it.
    const { transitions } = await again.appendTransitions([makeTransition('opened', 'g')]);
    expect(transitions[0]!.seq).toBe(4);
    await again.close();
    const third = await open();
    expect(third.health().recovered).toBeUndefined();
    expect(third.pendingTransitions().map((t) => t.fault.id)).toEqual(['f1', 'f2', 'g']);
    await third.close();
  });

  it('cuts at a corrupt record (checksum) and says where', async () => {
    const store = await open();
    await store.appendTransitions([1, 2, 3].map((i) => makeTransition('opened', `f${i}`)));
    await store.close();
    const seg = await lastSegment();
    const bytes = await readFile(seg);
    const second = bytes.readUInt32LE(0) + 8; // offset of the second record
    bytes[second + 20] = bytes[second + 20]! ^ 0xff;
    await writeFile(seg, bytes);
    const again = await open();
    expect(again.health().recovered!.reason).toContain(`corrupt record at offset ${second} (checksum mismatch)`);
    expect(again.pendingTransitions().map((t) => t.seq)).toEqual([1]);
    await again.close();
  });
});

describe('outbox journal: durability without rewriting', () => {
  it('writes each event once: bytes per commit do not grow with the backlog', async () => {
    const store = await open();
    await store.appendTransitions(Array.from({ length: 2_000 }, (_, i) => makeTransition('opened', `backlog-${i}`)));
    const before = store.io().bytesWritten;
    for (let i = 0; i < 20; i++) expect((await store.appendTransitions([makeTransition('opened', `new-${i}`)])).durable).toBe(true);
    const perEvent = (store.io().bytesWritten - before) / 20;
    const oneRecord = Buffer.byteLength(JSON.stringify({ seq: 2001, ...makeTransition('opened', 'new-0') })) + 9;
    expect(perEvent).toBeLessThan(oneRecord * 1.1);
    await store.close();
  });

  it('rebuilds faults from transitions newer than the checkpoint (a crash before state.json followed)', async () => {
    const store = await open(); // checkpoint every 5 min: none is written during this test
    const opened = makeTransition('opened', 'a');
    const gone = makeTransition('opened', 'b');
    store.faults.put(opened.fault);
    store.faults.put(gone.fault);
    await store.appendTransitions([opened, gone]);
    store.faults.remove(gone.fault.key);
    await store.appendTransitions([{ ...makeTransition('resolved', 'b'), fault: { ...gone.fault, state: 'resolved' } }]);
    expect(store.io().checkpointBytes).toBe(0);
    // A copy of the directory as it is now is what a crash would leave.
    const crashed = `${dir}-crashed`;
    await cp(dir, crashed, { recursive: true });
    await store.close();
    const { state, problems } = await readStoredState(crashed);
    expect(problems).toEqual([]);
    expect(Object.keys(state.faults)).toEqual([opened.fault.key]);
    expect(state.seq).toBe(3);
  });

  it('migrates a version 1 state.json (outbox inside) to the journal on first start', async () => {
    const outbox = [1, 2].map((seq) => ({ seq, ...makeTransition('opened', `old-${seq}`) }));
    const fault = outbox[1]!.fault;
    await writeFile(join(dir, 'state.json'), JSON.stringify({ version: 1, seq: 7, faults: { [fault.key]: fault }, outbox, counters: { outboxEvicted: 1 }, checkState: { x: 1 } }));
    const store = await open();
    expect(store.health().recovered).toBeUndefined();
    expect(store.pendingTransitions().map((t) => t.seq)).toEqual([1, 2]);
    expect(store.lastSeq).toBe(7);
    await store.close();
    const file = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8'));
    expect(file).toMatchObject({ version: 2, seq: 7, ackedSeq: 0, counters: { outboxEvicted: 1 }, checkState: { x: 1 } });
    expect(file.outbox).toBeUndefined();
    expect(Object.keys(file.faults)).toEqual([fault.key]);
    const again = await open();
    expect(again.pendingTransitions().map((t) => t.fault.id)).toEqual(['old-1', 'old-2']);
    expect((await again.appendTransitions([makeTransition('opened', 'n')])).transitions[0]!.seq).toBe(8);
    await again.close();
  });
});

describe('outbox journal: reclaiming space', () => {
  it('deletes segments once the desk acknowledged all they hold', async () => {
    const store = await open({ segmentBytes: 8 * 1024 });
    for (let i = 0; i < 150; i++) await store.appendTransitions([makeTransition('opened', `f${i}`)]);
    expect((await segments()).length).toBeGreaterThan(4);
    await store.ackUpTo(store.lastSeq);
    await store.appendTransitions([makeTransition('opened', 'after')]);
    expect((await segments()).length).toBeLessThanOrEqual(2);
    await store.close();
    const again = await open();
    expect(again.pendingTransitions().map((t) => t.fault.id)).toEqual(['after']);
    expect(again.lastSeq).toBe(151);
    await again.close();
  });

  it('rewrites the live set when dead records outweigh it (a desk away for long, updates coalesced)', async () => {
    const store = await open({ segmentBytes: 64 * 1024 });
    await store.appendTransitions([makeTransition('opened', 'flappy')]);
    const big = { changed: ['x'.repeat(2_000)] };
    // Every update replaces the previous one in the outbox: the journal keeps growing with dead records.
    for (let i = 0; i < 800; i++) await store.appendTransitions([makeTransition('updated', 'flappy', 'major', big)]);
    expect(store.pendingTransitions()).toHaveLength(2);
    const onDisk = (await Promise.all((await segments()).map(async (n) => (await stat(join(dir, 'outbox', n))).size))).reduce((a, b) => a + b, 0);
    expect(onDisk).toBeLessThan(1.5 * 1024 * 1024); // 800 updates of 2 kB = 1.6 MB written, and compacted along the way
    expect(store.counters().outboxCoalesced).toBe(799);
    await store.close();
    const again = await open();
    expect(again.pendingTransitions().map((t) => [t.seq, t.kind])).toEqual([
      [1, 'opened'],
      [801, 'updated'],
    ]);
    await again.close();
  });
});
