import type { Gauge } from '../core/store/rollup/day.js';
import type { MonthFile } from '../core/store/rollup/month-file.js';
import { emptySketch, mergeSketches, quantile } from '../core/store/rollup/sketch.js';

/** One check subject over the month: the figures the checklist, the suggestions and the appendix read. */
export interface SubjectMonth {
  checkId: string;
  subject: string;
  n: number;
  ok: number;
  /** percent of results that were ok, 2 decimals */
  availability: number;
  reasons: Record<string, number>;
  latency?: { p50: number; p95: number; max: number; n: number };
  /** over the month: lowest, highest, last value, sum */
  gauges: Record<string, Gauge>;
  texts: Record<string, string>;
  /** date (YYYY-MM-DD) → that day's gauges, oldest first, for trends */
  days: Array<{ date: string; g: Record<string, Gauge> }>;
  /** date of the day with the highest value of each gauge */
  worstDay: Record<string, string>;
}

export function summarizeMonth(file: MonthFile | undefined): SubjectMonth[] {
  if (!file) return [];
  const out: SubjectMonth[] = [];
  for (const [checkId, subjects] of Object.entries(file.checks)) {
    for (const [subject, byDay] of Object.entries(subjects)) out.push(summarizeSubject(file.month, checkId, subject, byDay));
  }
  return out.sort((a, b) => a.checkId.localeCompare(b.checkId) || a.subject.localeCompare(b.subject));
}

function summarizeSubject(month: string, checkId: string, subject: string, byDay: MonthFile['checks'][string][string]): SubjectMonth {
  const s: SubjectMonth = { checkId, subject, n: 0, ok: 0, availability: 100, reasons: {}, gauges: {}, texts: {}, days: [], worstDay: {} };
  const sketch = emptySketch();
  for (const day of Object.keys(byDay).sort()) {
    const d = byDay[day]!;
    const date = `${month}-${day}`;
    s.n += d.n;
    s.ok += d.ok;
    for (const [reason, count] of Object.entries(d.reasons)) s.reasons[reason] = (s.reasons[reason] ?? 0) + count;
    if (d.lat) mergeSketches(sketch, d.lat);
    for (const [key, g] of Object.entries(d.g ?? {})) {
      const m = s.gauges[key];
      if (!m || g.hi > m.hi) s.worstDay[key] = date;
      s.gauges[key] = m ? { lo: Math.min(m.lo, g.lo), hi: Math.max(m.hi, g.hi), last: g.last, sum: m.sum + g.sum } : { ...g };
    }
    Object.assign(s.texts, d.t ?? {});
    s.days.push({ date, g: d.g ?? {} });
  }
  s.availability = s.n ? Math.round((s.ok / s.n) * 10_000) / 100 : 100;
  if (sketch.n) s.latency = { p50: quantile(sketch, 0.5)!, p95: quantile(sketch, 0.95)!, max: sketch.max, n: sketch.n };
  return s;
}

export function failures(s: SubjectMonth): number {
  return s.n - s.ok;
}
