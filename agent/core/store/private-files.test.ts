import { chmod, mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HistoryStore } from './history.js';
import { StateStore } from './state-store.js';
import { makeTransition, tempDir } from './test-support/transitions.js';

const mode = async (path: string) => (await stat(path)).mode & 0o777;
const LIMITS = { maxEvents: 1000, maxBytes: 1e7 };

let dir: string;
let remove: () => Promise<void>;
let umask: number;
beforeEach(async () => {
  ({ dir, remove } = await tempDir('guardpost-private-'));
  umask = process.umask(0o022); // the usual default: files 0644, directories 0755 unless the code says otherwise
});
afterEach(async () => {
  process.umask(umask);
  await remove();
});

describe.skipIf(process.platform === 'win32')('the state directory is private', () => {
  it('creates the directory 0700 and state, journal and history files 0600 under umask 022', async () => {
    const state = join(dir, 'state');
    const store = await StateStore.open({ dir: state, outbox: LIMITS });
    await store.appendTransitions([makeTransition('opened', 'a')]);
    await store.commit();
    await store.commit(); // a second checkpoint: the first becomes state.json.bak
    await store.close();
    const history = await HistoryStore.open({ dir: state, limits: { resultsPerCheck: 5, failuresPerCheck: 5 } });
    history.record('disk', [{ status: 'ok', reason: 'ok', subject: '/', message: { zh: '好', en: 'ok' }, evidence: {}, time: new Date().toISOString(), durationMs: 1 }]);
    await history.close();
    expect(await mode(state)).toBe(0o700);
    expect(await mode(join(state, 'outbox'))).toBe(0o700);
    for (const f of ['state.json', 'state.json.bak', 'history.json', 'outbox/0000000001.seg']) expect(await mode(join(state, f)), f).toBe(0o600);
  });

  it('tightens what an older version left readable by everyone, at start', async () => {
    const state = join(dir, 'state');
    await mkdir(join(state, 'outbox'), { recursive: true });
    await chmod(state, 0o755);
    await writeFile(join(state, 'state.json'), JSON.stringify({ version: 1, seq: 0, faults: {}, outbox: [], counters: {}, checkState: {} }), { mode: 0o644 });
    await writeFile(join(state, 'history.json'), '{"version":1,"checks":{}}', { mode: 0o666 });
    await chmod(join(state, 'history.json'), 0o666);
    const store = await StateStore.open({ dir: state, outbox: LIMITS });
    await store.close();
    expect(await mode(state)).toBe(0o700);
    expect(await mode(join(state, 'outbox'))).toBe(0o700);
    expect(await mode(join(state, 'state.json'))).toBe(0o600);
    expect(await mode(join(state, 'history.json'))).toBe(0o600);
  });
});
