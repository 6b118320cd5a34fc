import { join } from 'node:path';
import { severityRank, type Severity } from '../../severity.js';
import type { Text } from '../../text.js';
import { readJsonFile } from '../json-file.js';
import type { Validation } from '../recover.js';
import type { DayRollup } from './day.js';

/** One fault occurrence as the month saw it: when it was detected, opened, acknowledged and resolved. */
export interface FaultOccurrence {
  id: string;
  key: string;
  code: string;
  /** the highest grade it reached */
  severity: Severity;
  checkId: string;
  subject: string;
  title: Text;
  detectedAt: string;
  openedAt: string;
  acknowledgedAt?: string;
  acknowledgedBy?: string;
  resolvedAt?: string;
  occurrences: number;
  /** seq of its first transition recorded here; the desk has it once it acknowledges that seq */
  seq?: number;
  /** when the agent learnt the desk had it (the desk's cumulative ack): an upper bound of the desk's receipt */
  deskReceivedAt?: string;
}

/** reports/YYYY-MM.json: a month's roll-ups. Only the current month changes; older ones are read and pruned. */
export interface MonthFile {
  version: 1;
  month: string;
  /** the local time zone the days are cut in (minutes east of UTC) */
  utcOffsetMinutes: number;
  /** check id → subject → day of month ("01".."31") → roll-up */
  checks: Record<string, Record<string, Record<string, DayRollup>>>;
  /** by fault id */
  faults: Record<string, FaultOccurrence>;
  /** agent starts this month (the last few), for the agent's own health */
  starts: string[];
  /** what the bounds turned away: subjects beyond the cap, faults beyond the cap */
  dropped: { subjects: number; faults: number };
  /**
   * The last closed day ("DD"): the month file holds the days up to it, the live file (`YYYY-MM.live.json`, the same
   * shape) the days after it, so that the frequent writes rewrite one day, not the month.
   */
  through?: string;
}

export const REPORTS_DIR = 'reports';
export const MONTH_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function monthPath(dir: string, month: string): string {
  return join(dir, REPORTS_DIR, `${month}.json`);
}

export function livePath(dir: string, month: string): string {
  return join(dir, REPORTS_DIR, `${month}.live.json`);
}

export function emptyMonth(month: string, utcOffsetMinutes: number): MonthFile {
  return { version: 1, month, utcOffsetMinutes, checks: {}, faults: {}, starts: [], dropped: { subjects: 0, faults: 0 } };
}

/** "YYYY-MM" and "DD" of an instant in the zone `offsetMinutes` east of UTC. */
export function localDay(at: Date, offsetMinutes: number): { month: string; day: string } {
  const iso = new Date(at.getTime() + offsetMinutes * 60_000).toISOString();
  return { month: iso.slice(0, 7), day: iso.slice(8, 10) };
}

/** The month `n` months before `month` (n may be negative). */
export function shiftMonth(month: string, n: number): string {
  const m = MONTH_PATTERN.exec(month);
  if (!m) throw new Error(`not a month: ${month}`);
  const index = Number(m[1]) * 12 + Number(m[2]) - 1 - n;
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

export function checkMonthFile(value: unknown): Validation<MonthFile> {
  const v = value as Partial<MonthFile> | null;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { ok: false, problem: 'the top level is not an object' };
  if (v.version !== 1) return { ok: false, problem: `version is ${JSON.stringify(v.version)}, expected 1` };
  if (typeof v.month !== 'string' || !MONTH_PATTERN.test(v.month)) return { ok: false, problem: 'month is not YYYY-MM' };
  if (typeof v.checks !== 'object' || v.checks === null || typeof v.faults !== 'object' || v.faults === null) return { ok: false, problem: 'checks or faults is not an object' };
  const skipped: string[] = [];
  const checks: MonthFile['checks'] = {};
  for (const [id, subjects] of Object.entries(v.checks)) {
    if (typeof subjects === 'object' && subjects !== null && Object.values(subjects).every((days) => typeof days === 'object' && days !== null && Object.values(days).every(isDay))) checks[id] = subjects;
    else skipped.push(`checks[${JSON.stringify(id)}]: not day roll-ups`);
  }
  const faults: MonthFile['faults'] = {};
  for (const [id, f] of Object.entries(v.faults)) {
    if (typeof f === 'object' && f !== null && typeof f.code === 'string' && typeof f.detectedAt === 'string') faults[id] = f;
    else skipped.push(`faults[${JSON.stringify(id)}]: not a fault occurrence`);
  }
  return {
    ok: true,
    value: {
      version: 1,
      month: v.month,
      utcOffsetMinutes: typeof v.utcOffsetMinutes === 'number' ? v.utcOffsetMinutes : 480,
      checks,
      faults,
      starts: Array.isArray(v.starts) ? v.starts.filter((s): s is string => typeof s === 'string') : [],
      dropped: { subjects: Number(v.dropped?.subjects) || 0, faults: Number(v.dropped?.faults) || 0 },
      ...(typeof v.through === 'string' && /^\d\d$/.test(v.through) ? { through: v.through } : {}),
    },
    skipped,
  };
}

function isDay(d: unknown): d is DayRollup {
  const x = d as Partial<DayRollup> | null;
  return typeof x === 'object' && x !== null && typeof x.n === 'number' && typeof x.ok === 'number' && typeof x.reasons === 'object';
}

/**
 * A month read without changing anything (the report command, a month the agent has finished): its closed days and
 * its live days, each from the file or else its last good copy; undefined when neither part is usable.
 */
export async function readMonthFile(dir: string, month: string): Promise<MonthFile | undefined> {
  return mergeMonth(await readPart(monthPath(dir, month)), await readPart(livePath(dir, month)));
}

async function readPart(path: string): Promise<MonthFile | undefined> {
  for (const candidate of [path, `${path}.bak`]) {
    const got = await readJsonFile(candidate);
    if (got.kind !== 'ok') continue;
    const checked = checkMonthFile(got.value);
    if (checked.ok) return checked.value;
  }
  return undefined;
}

/**
 * The whole month from its closed part and its live part. Live days up to `through` are ignored (a crash between
 * the two writes of a day's close leaves the closed day in both); fault occurrences are merged field by field.
 */
export function mergeMonth(closed: MonthFile | undefined, live: MonthFile | undefined): MonthFile | undefined {
  if (!closed || !live || closed.month !== live.month) return closed ?? live;
  const merged: MonthFile = structuredClone(closed);
  const through = closed.through ?? '00';
  for (const [id, subjects] of Object.entries(live.checks)) {
    for (const [subject, days] of Object.entries(subjects)) {
      for (const [day, rollup] of Object.entries(days)) if (day > through) ((merged.checks[id] ??= {})[subject] ??= {})[day] = rollup;
    }
  }
  for (const [id, f] of Object.entries(live.faults)) {
    const c = merged.faults[id];
    merged.faults[id] = c ? { ...c, ...f, severity: severityRank(c.severity) > severityRank(f.severity) ? c.severity : f.severity } : f;
  }
  merged.starts = [...new Set([...closed.starts, ...live.starts])].sort().slice(-100);
  merged.dropped = { subjects: Math.max(closed.dropped.subjects, live.dropped.subjects), faults: Math.max(closed.dropped.faults, live.dropped.faults) };
  return merged;
}
