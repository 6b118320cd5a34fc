import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyState } from './state-shape.js';
import { StateStore } from './state-store.js';
import { makeTransition } from './test-support/transitions.js';
import { tempDir } from './test-support/transitions.js';
import type { FaultTransition } from '../faults/types.js';

const LIMITS = { maxEvents: 100, maxBytes: 1_000_000 };
const NOW = new Date('2025-06-01T08:00:00.000Z');
const STAMP = '20250601T080000.000Z';

let dir: string;
let remove: () => Promise<void>;
beforeEach(async () => ({ dir, remove } = await tempDir()));
afterEach(() => remove());

const open = () => StateStore.open({ dir, outbox: LIMITS, now: () => NOW });
const file = (name: string) => join(dir, name);

/** A state.json of version 1, which held the outbox itself: what an agent before the journal left behind. */
function goodState(seq: number): Record<string, unknown> & { seq: number; outbox: FaultTransition[] } {
  return { version: 1, seq, faults: {}, outbox: [{ seq, ...makeTransition('opened', `f${seq}`) }], counters: {}, checkState: {} };
}

async function listDir(): Promise<string[]> {
  return (await readdir(dir)).sort();
}

describe('StateStore start-up recovery', () => {
  it('starts empty and reports nothing on a first start', async () => {
    const store = await open();
    expect(store.internalState).toEqual(emptyState());
    expect(store.health().recovered).toBeUndefined();
    await store.close();
  });

  it('moves invalid JSON aside, restores the .bak and says why, with the JSON error position', async () => {
    await writeFile(file('state.json'), '{"version":1,"seq":3,}');
    await writeFile(file('state.json.bak'), JSON.stringify(goodState(2)));
    const store = await open();
    const { recovered } = store.health();
    expect(recovered).toMatchObject({ movedTo: file(`state.json.corrupt-${STAMP}`), restoredFrom: file('state.json.bak'), at: NOW.toISOString() });
    expect(recovered!.reason).toContain(`${file('state.json')} is not valid JSON`);
    expect(recovered!.reason).toMatch(/position 21/);
    expect(recovered!.reason).toContain('restored the last good copy');
    expect(store.internalState.seq).toBe(2);
    expect(store.internalState.counters.stateRecoveries).toBe(1);
    // The bad file is kept for the engineer, and a good state.json is back in place already.
    expect(await readFile(file(`state.json.corrupt-${STAMP}`), 'utf8')).toBe('{"version":1,"seq":3,}');
    expect(JSON.parse(await readFile(file('state.json'), 'utf8')).seq).toBe(2);
    await store.close();
    // The next start is a normal one.
    const again = await open();
    expect(again.health().recovered).toBeUndefined();
    expect(again.internalState.outbox.map((t) => t.seq)).toEqual([2]);
    await again.close();
  });

  it('recognizes a truncated file', async () => {
    const text = JSON.stringify(goodState(5));
    await writeFile(file('state.json'), text.slice(0, 40));
    const store = await open();
    expect(store.health().recovered!.reason).toMatch(/state\.json is not valid JSON: .*position 40 \(the file looks truncated\) \(file is 40 bytes\)/);
    expect(store.health().recovered!.reason).toContain('no last good copy');
    expect(store.internalState).toMatchObject({ seq: 0, outbox: [] });
    await store.close();
  });

  it('rejects a wrong version or shape, naming what is wrong', async () => {
    await writeFile(file('state.json'), JSON.stringify({ ...goodState(1), version: 3 }));
    const s1 = await open();
    expect(s1.health().recovered!.reason).toContain('does not hold valid agent state: version is 3, expected 1 or 2');
    await s1.close();

    await writeFile(file('state.json'), JSON.stringify({ ...goodState(1), outbox: {} }));
    await writeFile(file('state.json.bak'), '[]');
    const s2 = await open();
    const reason = s2.health().recovered!.reason;
    expect(reason).toContain('outbox is object, expected an array');
    expect(reason).toContain('the last good copy is unusable too');
    expect(reason).toContain('the top level is an array, expected an object');
    expect(reason).toContain('started with empty agent state');
    expect(s2.internalState.seq).toBe(0);
    await s2.close();
  });

  it('starts empty when both the file and the .bak are bad, moving both aside', async () => {
    await writeFile(file('state.json'), 'garbage');
    await writeFile(file('state.json.bak'), '');
    const store = await open();
    const rec = store.health().recovered!;
    expect(rec.movedTo).toBe(file(`state.json.corrupt-${STAMP}`));
    expect(rec.restoredFrom).toBeUndefined();
    expect(rec.reason).toContain('state.json.bak is empty');
    expect(store.internalState).toEqual({ ...emptyState(), counters: { stateRecoveries: 1 } });
    await store.close();
    expect(await listDir()).toEqual(['state.json', `state.json.bak.corrupt-${STAMP}`, `state.json.corrupt-${STAMP}`]);
  });

  it('restores the .bak when state.json is missing (killed between the two renames)', async () => {
    await writeFile(file('state.json.bak'), JSON.stringify(goodState(9)));
    const store = await open();
    expect(store.health().recovered).toMatchObject({ restoredFrom: file('state.json.bak') });
    expect(store.health().recovered!.reason).toContain('is missing but');
    expect(store.health().recovered!.movedTo).toBeUndefined();
    expect(store.internalState.seq).toBe(9);
    await store.close();
  });

  it('treats an unreadable state.json (a directory) as corrupt', async () => {
    await mkdir(file('state.json'));
    await writeFile(file('state.json.bak'), JSON.stringify(goodState(4)));
    const store = await open();
    expect(store.health().recovered!.reason).toMatch(/state\.json could not be read \(EISDIR/);
    expect(store.internalState.seq).toBe(4);
    expect(await store.commit()).toBe(true);
    await store.close();
  });

  it('skips malformed rows, keeps the rest and never hands out a seq twice', async () => {
    const state = goodState(3) as unknown as Record<string, unknown>;
    state.seq = 1; // lags behind the outbox
    state.outbox = [{ seq: 3, ...makeTransition('opened', 'ok') }, { seq: 'x' }, { seq: 2, kind: 'opened', at: 'a', detectedAt: 'a', fault: { id: 1 } }];
    await writeFile(file('state.json'), JSON.stringify(state));
    const store = await open();
    expect(store.internalState.outbox.map((t) => t.seq)).toEqual([3]);
    expect(store.internalState.seq).toBe(3);
    expect(store.health().recovered!.reason).toMatch(/skipped 2 malformed entries \(outbox\[1\]: seq is "x"/);
    const { transitions } = await store.appendTransitions([makeTransition('opened', 'new')]);
    expect(transitions[0]!.seq).toBe(4);
    await store.close();
  });

  it('keeps at most five corrupt copies', async () => {
    for (let i = 0; i < 7; i++) {
      await writeFile(file('state.json'), `bad ${i}`);
      const store = await StateStore.open({ dir, outbox: LIMITS, now: () => new Date(NOW.getTime() + i * 1000) });
      await store.close();
    }
    const copies = (await listDir()).filter((n) => n.startsWith('state.json.corrupt-'));
    expect(copies).toHaveLength(5);
    expect(await readFile(join(dir, copies.at(-1)!), 'utf8')).toBe('bad 6');
  });

  it('drops the outbox to the configured caps when they were lowered', async () => {
    const state = goodState(10);
    state.outbox = [];
    for (let s = 1; s <= 10; s++) state.outbox.push({ seq: s, ...makeTransition('opened', `f${s}`) });
    await writeFile(file('state.json'), JSON.stringify(state));
    const store = await StateStore.open({ dir, outbox: { maxEvents: 4, maxBytes: 1e9 } });
    expect(store.internalState.outbox.map((t) => t.seq)).toEqual([7, 8, 9, 10]);
    expect(store.health()).toMatchObject({ evicted: 6, overflowing: true });
    await store.close();
  });
});
