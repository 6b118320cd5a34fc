import { readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ProbeResult } from '../../checks/result.js';
import { tempDir } from '../test-support/transitions.js';
import { emptyMonth, livePath, mergeMonth, monthPath, readMonthFile, shiftMonth } from './month-file.js';
import { MAX_SUBJECTS_PER_CHECK, RollupStore } from './rollup-store.js';
import { addToSketch, emptySketch, mergeSketches, quantile } from './sketch.js';

const T0 = Date.UTC(2026, 11, 7, 4); // 2026-12-07 12:00 in UTC+8
const result = (status: 'ok' | 'fail', over: Partial<ProbeResult> = {}): ProbeResult => ({
  status, reason: status === 'ok' ? 'ok' : 'timeout', subject: 'target', evidence: {}, message: { zh: '', en: '' }, time: new Date(T0).toISOString(), durationMs: 1, ...over,
});

describe('latency sketch', () => {
  it('is exact when a bucket holds equal values, within a bucket width otherwise, and stays small', () => {
    const s = emptySketch();
    for (let i = 0; i < 90; i++) addToSketch(s, 20);
    for (let i = 0; i < 10; i++) addToSketch(s, 400);
    expect([quantile(s, 0.5), quantile(s, 0.9), quantile(s, 0.95), s.max]).toEqual([20, 20, 400, 400]);

    const wide = emptySketch();
    for (let i = 1; i <= 100_000; i++) addToSketch(wide, i % 1000 + 1); // 1..1000 ms, uniform
    expect(Math.abs(quantile(wide, 0.5)! - 500) / 500).toBeLessThan(0.125);
    expect(Math.abs(quantile(wide, 0.95)! - 950) / 950).toBeLessThan(0.125);
    expect(wide.max).toBe(1000);
    expect(Object.keys(wide.b).length).toBeLessThanOrEqual(32);

    const merged = emptySketch();
    mergeSketches(merged, s);
    mergeSketches(merged, s);
    expect([merged.n, quantile(merged, 0.95)]).toEqual([200, 400]);
  });
});

describe('mergeMonth', () => {
  it('takes closed days from the month file only, so a crash between the two writes of a day close counts nothing twice', () => {
    const day = (n: number) => ({ n, ok: n, reasons: {}, first: 'x', last: 'x' });
    const closed = { ...emptyMonth('2026-12', 480), through: '07', checks: { c: { s: { '06': day(5), '07': day(9) } } } };
    const staleLive = { ...emptyMonth('2026-12', 480), checks: { c: { s: { '07': day(4), '08': day(1) } } } };
    expect(mergeMonth(closed, staleLive)!.checks.c!.s).toEqual({ '06': day(5), '07': day(9), '08': day(1) });
  });
});

describe('RollupStore', () => {
  const open = (dir: string, over: Partial<Parameters<typeof RollupStore.open>[0]> = {}) =>
    RollupStore.open({ dir, months: 13, utcOffsetMinutes: 480, now: () => new Date(T0), flushIntervalMs: 3_600_000, ...over });

  it('rolls results up per check, subject and local day, and keeps them across a restart', async () => {
    const { dir, remove } = await tempDir();
    try {
      const store = await open(dir);
      store.record('disk', [result('ok', { subject: '/var', evidence: { usedPercent: 70, path: '/var/x' } }), result('ok', { subject: '/var', evidence: { usedPercent: 72 } })]);
      // 16:30 UTC on the 7th is already the 8th in China
      store.record('disk', [result('fail', { subject: '/var', reason: 'space_low', evidence: { usedPercent: 91 }, time: new Date(Date.UTC(2026, 11, 7, 16, 30)).toISOString() })]);
      await store.close();
      const file = await readMonthFile(dir, '2026-12');
      expect(file?.checks.disk?.['/var']).toEqual({
        '07': { n: 2, ok: 2, reasons: {}, g: { usedPercent: { lo: 70, hi: 72, last: 72, sum: 142 } }, first: new Date(T0).toISOString(), last: new Date(T0).toISOString() },
        '08': expect.objectContaining({ n: 1, ok: 0, reasons: { space_low: 1 } }),
      });
      // The 7th closed when the 8th began: it sits in the month file, the 8th alone in the live file.
      expect(Object.keys(JSON.parse(await readFile(monthPath(dir, '2026-12'), 'utf8')).checks.disk['/var'])).toEqual(['07']);
      expect(Object.keys(JSON.parse(await readFile(livePath(dir, '2026-12'), 'utf8')).checks.disk['/var'])).toEqual(['08']);
      const again = await open(dir);
      const on8th = new Date(Date.UTC(2026, 11, 7, 17)).toISOString();
      again.record('disk', [result('ok', { subject: '/var', evidence: { usedPercent: 73 }, time: on8th }), result('ok', { subject: '/var', evidence: { usedPercent: 99 } })]);
      const days = again.snapshot().checks.disk!['/var']!;
      expect(days['08']).toMatchObject({ n: 2, g: { usedPercent: { hi: 91, last: 73 } } });
      expect(days['07']!.n).toBe(2); // a late result for a closed day is not counted
      await again.close();
    } finally {
      await remove();
    }
  });

  it('records each fault occurrence with its times, and writes the finished month at the turn of the month', async () => {
    const { dir, remove } = await tempDir();
    try {
      let now = T0;
      const store = await open(dir, { now: () => new Date(now) });
      const fault = { id: 'f1', key: 'k1', code: 'READER_LINK_ERRORS', severity: 'minor' as const, title: { zh: '读卡器', en: 'reader' }, detail: { zh: '', en: '' }, checkId: 'reader', subject: 'COM3', labels: {}, evidence: {}, firstSeen: new Date(T0).toISOString(), lastSeen: new Date(T0).toISOString(), occurrences: 1, state: 'open' as const, inhibitedBy: [] };
      store.recordTransitions([{ seq: 1, kind: 'opened', at: fault.firstSeen, detectedAt: fault.firstSeen, fault }]);
      store.deskAcked(0);
      expect(store.snapshot().faults.f1!.deskReceivedAt).toBeUndefined();
      now = T0 + 2_000; // the desk's ack of seq 1 arrives 2 s later
      store.deskAcked(1);
      const ackAt = new Date(T0 + 300_000).toISOString();
      store.recordTransitions([{ seq: 2, kind: 'acknowledged', at: ackAt, detectedAt: fault.firstSeen, fault: { ...fault, state: 'acknowledged', acknowledgedAt: ackAt, acknowledgedBy: 'eng' } }]);
      store.recordTransitions([{ seq: 3, kind: 'updated', at: ackAt, detectedAt: fault.firstSeen, changed: ['severity'], fault: { ...fault, severity: 'major', acknowledgedAt: ackAt } }]);
      // The fault is resolved in January: it is in both months, open at December's end.
      now = Date.UTC(2027, 0, 2);
      const resolvedAt = new Date(now).toISOString();
      store.recordTransitions([{ seq: 4, kind: 'resolved', at: resolvedAt, detectedAt: fault.firstSeen, fault: { ...fault, state: 'resolved', resolvedAt } }]);
      expect(store.month).toBe('2027-01');
      await store.close();
      const dec = await readMonthFile(dir, '2026-12');
      expect(dec?.faults.f1).toEqual({ id: 'f1', key: 'k1', code: 'READER_LINK_ERRORS', severity: 'major', checkId: 'reader', subject: 'COM3', title: fault.title, detectedAt: fault.firstSeen, openedAt: fault.firstSeen, acknowledgedAt: ackAt, acknowledgedBy: 'eng', occurrences: 1, seq: 1, deskReceivedAt: new Date(T0 + 2_000).toISOString() });
      expect((await readMonthFile(dir, '2027-01'))?.faults.f1).toMatchObject({ detectedAt: fault.firstSeen, resolvedAt });
    } finally {
      await remove();
    }
  });

  it('bounds subjects per check and prunes months beyond storage.reportMonths', async () => {
    const { dir, remove } = await tempDir();
    try {
      await mkdir(join(dir, 'reports'), { recursive: true });
      for (let i = 1; i <= 6; i++) await writeFile(monthPath(dir, shiftMonth('2026-12', i)), '{}');
      await writeFile(`${monthPath(dir, '2026-06')}.bak`, '{}');
      const store = await open(dir, { months: 4 });
      store.record('reader', Array.from({ length: MAX_SUBJECTS_PER_CHECK + 6 }, (_, i) => result('ok', { subject: `COM${i}` })));
      await store.close();
      expect((await readdir(join(dir, 'reports'))).sort()).toEqual(['2026-09.json', '2026-10.json', '2026-11.json', '2026-12.live.json']);
      const file = await readMonthFile(dir, '2026-12');
      expect(Object.keys(file!.checks.reader!)).toHaveLength(MAX_SUBJECTS_PER_CHECK);
      expect(file!.dropped.subjects).toBe(6);
    } finally {
      await remove();
    }
  });

  it('recovers a corrupt month from its last good copy, and starts empty when both are bad', async () => {
    const { dir, remove } = await tempDir();
    try {
      const store = await open(dir);
      store.record('probe', [result('ok')]);
      await store.flush();
      store.record('probe', [result('ok')]);
      await store.close(); // .bak holds n=1, the file n=2
      await writeFile(livePath(dir, '2026-12'), '{"version":1,"mon');
      const restored = await open(dir);
      expect(restored.health().recovered?.reason).toMatch(/not valid JSON.*restored the last good copy/);
      expect(restored.snapshot().checks.probe!.target!['07']!.n).toBe(1);
      await restored.close();
      await writeFile(livePath(dir, '2026-12'), 'garbage');
      await writeFile(`${livePath(dir, '2026-12')}.bak`, 'garbage');
      const empty = await open(dir);
      expect(empty.snapshot().checks).toEqual({});
      expect(empty.health().recovered?.movedTo).toMatch(/\.corrupt-/);
      await empty.close();
      expect(JSON.parse(await readFile(livePath(dir, '2026-12'), 'utf8')).version).toBe(1);
    } finally {
      await remove();
    }
  });
});
