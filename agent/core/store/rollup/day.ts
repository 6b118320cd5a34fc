import type { ProbeResult } from '../../checks/result.js';
import { addToSketch, emptySketch, type LatencySketch } from './sketch.js';

/** The day's range of one numeric evidence value: lowest, highest, last and sum (for counts such as new log errors). */
export interface Gauge {
  lo: number;
  hi: number;
  last: number;
  sum: number;
}

/** One check subject's day: the counts, the failure reasons, probe latency, and the gauges its evidence carried. */
export interface DayRollup {
  /** results seen */
  n: number;
  ok: number;
  /** failure count by reason */
  reasons: Record<string, number>;
  /** latency of answered probes (ok or slow), from evidence.totalMs */
  lat?: LatencySketch;
  g?: Record<string, Gauge>;
  /** last value of a few textual facts (revocation status, chain status) */
  t?: Record<string, string>;
  first: string;
  last: string;
}

/**
 * Evidence values worth a month: usage, room, age, days left, skew, error counts. A list, so a probe's other evidence
 * (paths, samples, ids) never reaches the roll-ups and their size stays bounded whatever a probe returns.
 */
export const GAUGE_KEYS: readonly string[] = [
  'usedPercent', 'inodesUsedPercent', 'availableBytes', 'totalBytes', 'availablePercent', 'swapUsedPercent', 'load5PerCore',
  'daysLeft', 'chainDaysLeft', 'daysToNextUpdate', 'newestAgeHours', 'newestSizeBytes', 'matches', 'lines',
  'driftSeconds', 'skewSeconds', 'jumps', 'failedInWindow', 'errorRate', 'count',
];
export const TEXT_KEYS: readonly string[] = ['revocation', 'chainStatus', 'notAfter'];
/** Distinct failure reasons kept per day; the rest count as "other" (reasons are a closed list, this is a backstop). */
export const MAX_REASONS = 16;

export function emptyDay(at: string): DayRollup {
  return { n: 0, ok: 0, reasons: {}, first: at, last: at };
}

export function addResult(day: DayRollup, r: ProbeResult): void {
  day.n += 1;
  if (r.status === 'ok') day.ok += 1;
  else {
    const known = r.reason in day.reasons || Object.keys(day.reasons).length < MAX_REASONS;
    const reason = known ? r.reason : 'other';
    day.reasons[reason] = (day.reasons[reason] ?? 0) + 1;
  }
  if (r.time < day.first) day.first = r.time;
  if (r.time > day.last) day.last = r.time;
  const total = r.evidence.totalMs;
  if (typeof total === 'number' && (r.status === 'ok' || r.reason === 'slow')) addToSketch((day.lat ??= emptySketch()), total);
  for (const key of GAUGE_KEYS) {
    const v = r.evidence[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    const g = ((day.g ??= {})[key] ??= { lo: v, hi: v, last: v, sum: 0 });
    g.lo = Math.min(g.lo, v);
    g.hi = Math.max(g.hi, v);
    g.last = v;
    g.sum = Math.round((g.sum + v) * 1000) / 1000;
  }
  for (const key of TEXT_KEYS) {
    const v = r.evidence[key];
    if (typeof v === 'string') (day.t ??= {})[key] = v.slice(0, 64);
  }
}
