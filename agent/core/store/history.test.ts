import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { boundResult } from './history-bounds.js';
import { HistoryStore } from './history.js';
import { makeResult, tempDir, waitFor } from './test-support/transitions.js';

const LIMITS = { resultsPerCheck: 5, failuresPerCheck: 3 };

let dir: string;
let remove: () => Promise<void>;
beforeEach(async () => ({ dir, remove } = await tempDir()));
afterEach(() => remove());

const at = (i: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString();

describe('HistoryStore', () => {
  it('keeps the last N results and, apart, the last M failures', async () => {
    const h = await HistoryStore.open({ dir, limits: LIMITS, flushIntervalMs: 60_000 });
    for (let i = 0; i < 6; i++) h.record('disk', [makeResult('fail', { time: at(i) })]);
    for (let i = 6; i < 20; i++) h.record('disk', [makeResult('ok', { time: at(i) })]);
    const got = h.get('disk');
    expect(got.recent.map((r) => r.time)).toEqual([15, 16, 17, 18, 19].map(at));
    // The failures survive the run of successes that pushed them out of the ring.
    expect(got.failures.map((r) => r.time)).toEqual([3, 4, 5].map(at));
    expect(h.get('unknown')).toEqual({ recent: [], failures: [] });
    expect(Object.keys(h.all())).toEqual(['disk']);
    await h.close();
  });

  it('records several subjects of one run', async () => {
    const h = await HistoryStore.open({ dir, limits: LIMITS });
    h.record('disk', [makeResult('ok', { subject: '/' }), makeResult('fail', { subject: '/data' })]);
    expect(h.get('disk').recent.map((r) => r.subject)).toEqual(['/', '/data']);
    expect(h.get('disk').failures.map((r) => r.subject)).toEqual(['/data']);
    await h.close();
  });

  it('writes lazily: not at once, then after the interval, and on close', async () => {
    const h = await HistoryStore.open({ dir, limits: LIMITS, flushIntervalMs: 50 });
    h.record('disk', [makeResult('ok')]);
    h.record('disk', [makeResult('fail')]);
    expect(h.adapter.writes).toBe(0);
    await waitFor(() => h.adapter.writes === 1, 5_000, 'the throttled flush');
    h.record('tls', [makeResult('ok')]);
    await h.close(); // writes what the timer has not
    expect(h.adapter.writes).toBe(2);
    const reopened = await HistoryStore.open({ dir, limits: LIMITS });
    expect(reopened.get('disk').recent).toHaveLength(2);
    expect(reopened.get('disk').failures).toHaveLength(1);
    expect(reopened.get('tls').recent).toHaveLength(1);
    expect(reopened.health()).toEqual({});
    await reopened.close();
    expect(reopened.adapter.writes).toBe(0); // nothing changed, nothing written
  });

  it('applies smaller limits to a reloaded file', async () => {
    const h = await HistoryStore.open({ dir, limits: { resultsPerCheck: 10, failuresPerCheck: 10 } });
    for (let i = 0; i < 10; i++) h.record('disk', [makeResult('fail', { time: at(i) })]);
    await h.close();
    const small = await HistoryStore.open({ dir, limits: { resultsPerCheck: 2, failuresPerCheck: 1 } });
    expect(small.get('disk').recent.map((r) => r.time)).toEqual([8, 9].map(at));
    expect(small.get('disk').failures.map((r) => r.time)).toEqual([at(9)]);
    await small.close();
  });

  it('moves a corrupt history.json aside and starts empty', async () => {
    await writeFile(join(dir, 'history.json'), '{"version":1,"checks":{"disk":{"recent":[');
    const h = await HistoryStore.open({ dir, limits: LIMITS, now: () => new Date('2025-05-05T05:05:05.005Z') });
    expect(h.all()).toEqual({});
    const { recovered } = h.health();
    expect(recovered!.reason).toMatch(/history\.json is not valid JSON: .*truncated.*started with empty check history/);
    expect(recovered!.movedTo).toBe(join(dir, 'history.json.corrupt-20250505T050505.005Z'));
    expect((await readdir(dir)).sort()).toEqual(['history.json.corrupt-20250505T050505.005Z']);
    h.record('disk', [makeResult('ok')]);
    await h.close();
    expect(JSON.parse(await readFile(join(dir, 'history.json'), 'utf8')).checks.disk.recent).toHaveLength(1);
  });

  it('drops a malformed check entry and keeps the others', async () => {
    await writeFile(join(dir, 'history.json'), JSON.stringify({ version: 1, checks: { good: { recent: [makeResult('ok')], failures: [] }, bad: { recent: 3 } } }));
    const h = await HistoryStore.open({ dir, limits: LIMITS });
    expect(Object.keys(h.all())).toEqual(['good']);
    expect(h.health().recovered!.reason).toContain('checks["bad"]');
    await h.close();
  });

  it('survives a write error and writes again later', async () => {
    const sub = join(dir, 'sub');
    const h = await HistoryStore.open({ dir: sub, limits: LIMITS, flushIntervalMs: 20 });
    h.record('disk', [makeResult('ok')]);
    expect(await h.flush()).toBe(true);
    await rm(sub, { recursive: true });
    await writeFile(sub, 'file in the way');
    h.record('disk', [makeResult('fail')]);
    expect(await h.flush()).toBe(false);
    expect(h.health().writeError!.message).toMatch(/EEXIST|ENOTDIR/);
    await rm(sub);
    await waitFor(() => h.health().writeError === undefined, 5_000, 'the next flush');
    expect(JSON.parse(await readFile(join(sub, 'history.json'), 'utf8')).checks.disk.recent).toHaveLength(2);
    await h.close();
  });

  it('forgets checks that are no longer configured', async () => {
    const h = await HistoryStore.open({ dir, limits: LIMITS });
    h.record('a', [makeResult('ok')]);
    h.record('b', [makeResult('ok')]);
    h.retainOnly(['b']);
    expect(Object.keys(h.all())).toEqual(['b']);
    await h.close();
  });

  it('bounds each result in bytes, truncating long evidence', async () => {
    const huge = makeResult('fail', { evidence: { line: 'x'.repeat(100_000), count: 3 }, message: { zh: '错'.repeat(5_000), en: 'e'.repeat(5_000) } });
    const h = await HistoryStore.open({ dir, limits: LIMITS, maxResultBytes: 2_048 });
    for (let i = 0; i < 5; i++) h.record('log', [huge]);
    const stored = h.get('log').recent[0]!;
    expect(Buffer.byteLength(JSON.stringify(stored))).toBeLessThanOrEqual(2_048);
    expect(stored.evidence.count).toBe(3);
    expect(String(stored.evidence.line)).toMatch(/^x{256}…\[\+99744 chars\]$/);
    await h.close();
    expect(Buffer.byteLength(await readFile(join(dir, 'history.json'), 'utf8'))).toBeLessThan(2_048 * 8 + 200);
  });
});

describe('boundResult', () => {
  it('leaves small results alone (as a copy)', () => {
    const r = makeResult('ok');
    const b = boundResult(r, 4_096);
    expect(b).toEqual(r);
    expect(b).not.toBe(r);
  });

  it('drops the largest evidence entries when cutting strings is not enough, and says so', () => {
    const evidence = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, 'y'.repeat(200 + i)]));
    const b = boundResult(makeResult('fail', { evidence }), 2_000);
    expect(Buffer.byteLength(JSON.stringify(b))).toBeLessThanOrEqual(2_000);
    expect(b.evidence._truncated).toBeGreaterThan(0);
    expect(b.evidence.k39).toBeUndefined(); // the largest went first
    expect(b.evidence.k0).toBe('y'.repeat(200));
  });

  it('never splits a character in two', () => {
    const b = boundResult(makeResult('fail', { evidence: { s: '😀'.repeat(1_000) } }), 1_500);
    expect(String(b.evidence.s)).toMatch(/^(😀){256}…/u);
  });
});
