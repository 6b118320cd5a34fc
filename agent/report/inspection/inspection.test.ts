import { describe, expect, it } from 'vitest';
import type { FaultOccurrence } from '../../core/store/rollup/month-file.js';
import type { SubjectMonth } from '../summary.js';
import { buildChecklist } from './checklist.js';
import { faultRows, slaSummary } from './sla.js';
import { buildSuggestions } from './suggestions.js';

const T = Date.UTC(2026, 11, 10, 2);
const MIN = 60_000;
const H = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

function occ(id: string, severity: FaultOccurrence['severity'], ackAfterMs?: number, resolveAfterMs?: number): FaultOccurrence {
  return {
    id, key: id, code: 'X', severity, checkId: 'c', subject: 's', title: { zh: 'x', en: 'x' }, detectedAt: iso(T), openedAt: iso(T), occurrences: 1,
    ...(ackAfterMs !== undefined ? { acknowledgedAt: iso(T + ackAfterMs) } : {}),
    ...(resolveAfterMs !== undefined ? { resolvedAt: iso(T + resolveAfterMs) } : {}),
  };
}

describe('service targets', () => {
  it('meets a target exactly at its limit and misses it just beyond', () => {
    const faults = Object.fromEntries(
      [
        occ('resp-in', 'minor', 10 * MIN, 5 * H),
        occ('resp-out', 'minor', 10 * MIN + 1_000, 5 * H),
        occ('crit-in', 'critical', MIN, 12 * H),
        occ('crit-out', 'critical', MIN, 12 * H + 1_000),
        occ('major-in', 'major', MIN, 24 * H),
        occ('major-out', 'major', MIN, 24 * H + 1_000),
        occ('fix-in', 'minor', MIN, 2 * H),
        occ('fix-out', 'minor', MIN, 2 * H + 1_000),
      ].map((o) => [o.id, o]),
    );
    const rows = faultRows(faults, new Date(T + 30 * 24 * H));
    const by = Object.fromEntries(rows.map((r) => [r.id, r]));
    expect([by['resp-in']!.response, by['resp-out']!.response]).toEqual(['met', 'missed']);
    expect([by['crit-in']!.resolution, by['crit-out']!.resolution]).toEqual(['met', 'missed']);
    expect([by['major-in']!.resolution, by['major-out']!.resolution]).toEqual(['met', 'missed']);
    expect(by['resp-in']!.resolution).toBe('n/a'); // minor faults have no resolution target
    expect(slaSummary(rows)).toMatchObject({ faults: 8, respondedWithin10Min: 87.5, criticalWithin12h: 50, majorWithin24h: 50, fixedWithin2h: 12.5, fixedWithin4h: 25 });
  });

  it('judges open faults at the report time: pending within the target, missed beyond it', () => {
    const rows = faultRows({ a: occ('a', 'critical'), b: occ('b', 'major', 2 * MIN) }, new Date(T + 13 * H));
    const by = Object.fromEntries(rows.map((r) => [r.id, r]));
    expect(by.a).toMatchObject({ response: 'missed', resolution: 'missed', openHours: 13 });
    expect(by.b).toMatchObject({ response: 'met', resolution: 'pending' });
    expect(slaSummary(rows)).toMatchObject({ criticalWithin12h: 0, majorWithin24h: null, fixedWithin2h: 0, fixedWithin4h: 0 });
  });
});

function disk(subject: string, values: number[], startDay = 1): SubjectMonth {
  const days = values.map((v, i) => ({ date: `2026-12-${String(startDay + i).padStart(2, '0')}`, g: { usedPercent: { lo: v, hi: v, last: v, sum: v } } }));
  return { checkId: 'disk', subject, n: values.length, ok: values.length, availability: 100, reasons: {}, gauges: {}, texts: {}, days, worstDay: {} };
}

describe('suggestions', () => {
  const types = { disk: 'disk' };
  it('fits a line through the daily maxima and names the week it reaches 90 %', () => {
    const s = buildSuggestions({ subjects: [disk('/var', [70, 71, 72, 73, 74, 75, 76, 77])], previous: [], types });
    // 1 point a day from 70 on the 1st: 90 on the 21st
    expect(s).toEqual([expect.objectContaining({ kind: 'disk_growth', text: expect.objectContaining({ en: 'disk /var at 77 % and growing 7 %/week: reaches 90 % around 2026-12-21' }) })]);
  });

  it('says nothing for flat, slow, too short or far-off growth', () => {
    const subjects = [
      disk('/flat', Array(20).fill(60)),
      disk('/slow', Array.from({ length: 20 }, (_, i) => 60 + i * 0.05)), // 0.35 points a week
      disk('/short', [80, 82, 84]), // 3 days are no trend
      disk('/far', Array.from({ length: 20 }, (_, i) => 10 + i * 0.2)), // 90 % in ~a year
      disk('/down', Array.from({ length: 20 }, (_, i) => 85 - i)),
    ];
    expect(buildSuggestions({ subjects, previous: [], types })).toEqual([]);
  });

  it('says "free space now" once a disk is past 90 %', () => {
    expect(buildSuggestions({ subjects: [disk('/', [91])], previous: [], types }).map((x) => x.kind)).toEqual(['disk_full']);
  });
});

describe('backup room', () => {
  const subject = (checkId: string, name: string, gauges: SubjectMonth['gauges']): SubjectMonth => ({ checkId, subject: name, n: 1, ok: 1, availability: 100, reasons: {}, gauges, texts: {}, days: [], worstDay: {} });
  const g = (v: number) => ({ lo: v, hi: v, last: v, sum: v });
  const room = (varFree: number) =>
    buildChecklist({
      subjects: [subject('disk', '/', { availableBytes: g(1e9) }), subject('disk', '/var', { availableBytes: g(varFree) }), subject('backup', '/var/backups/*.bak', { newestSizeBytes: g(4e9) })],
      types: { disk: 'disk', backup: 'backup' }, faults: [], coverage: { daysWithData: 1, daysElapsed: 1 }, starts: 1,
    }).find((i) => i.item.en === 'Backup room')!;

  it('measures the disk that holds the backups (the longest prefix), against the largest backup', () => {
    expect(room(20e9)).toMatchObject({ result: 'pass', observed: { en: 'least free 20 GB: room for 5 more' }, evidence: '/var availableBytes low 20000000000; largest backup 4000000000 bytes' });
    expect(room(11e9)).toMatchObject({ result: 'fail', observed: { en: 'least free 11 GB: room for 2 more' } });
  });
});
