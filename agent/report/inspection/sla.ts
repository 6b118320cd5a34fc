import type { FaultOccurrence } from '../../core/store/rollup/month-file.js';
import { severityRank, type Severity } from '../../core/severity.js';

/** The maintenance contracts' targets (issue 17): respond ≤ 10 min; critical resolved ≤ 12 h, major ≤ 24 h; 60 % in 2 h, 80 % in 4 h. */
export const SLA = { respondMinutes: 10, resolveHours: { critical: 12, major: 24 } as Partial<Record<Severity, number>>, fixedShares: [{ hours: 2, share: 60 }, { hours: 4, share: 80 }] } as const;

/** Whether a target was met: 'pending' while a fault is still open and within its target. */
export type Verdict = 'met' | 'missed' | 'pending' | 'n/a';

export interface FaultRow {
  id: string;
  code: string;
  severity: Severity;
  title: FaultOccurrence['title'];
  checkId: string;
  subject: string;
  detectedAt: string;
  acknowledgedAt?: string;
  resolvedAt?: string;
  /** when the agent learnt the desk had it (an upper bound of the desk's receipt), and minutes from detection */
  deskReceivedAt?: string;
  receiptMinutes?: number;
  /** minutes from detection to acknowledgement (or to resolution when it cleared before anyone had to respond) */
  responseMinutes?: number;
  /** hours from detection to resolution */
  resolutionHours?: number;
  /** still open at the report's time: hours since detection */
  openHours?: number;
  response: Verdict;
  resolution: Verdict;
}

export interface SlaSummary {
  faults: number;
  bySeverity: Record<Severity, number>;
  /** percent of faults (with a verdict) meeting each target; null when no fault had one */
  respondedWithin10Min: number | null;
  criticalWithin12h: number | null;
  majorWithin24h: number | null;
  fixedWithin2h: number | null;
  fixedWithin4h: number | null;
}

const MIN = 60_000;
const HOUR = 3_600_000;

/** `asOf` is the end of the month (or now, for the month so far): faults still open are judged at that time. */
export function faultRows(faults: Record<string, FaultOccurrence>, asOf: Date): FaultRow[] {
  const rows = Object.values(faults).map((f) => faultRow(f, asOf.getTime()));
  return rows.sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.detectedAt.localeCompare(b.detectedAt));
}

function faultRow(f: FaultOccurrence, asOf: number): FaultRow {
  const detected = Date.parse(f.detectedAt);
  const ack = f.acknowledgedAt ? Date.parse(f.acknowledgedAt) : undefined;
  const resolved = f.resolvedAt ? Date.parse(f.resolvedAt) : undefined;
  const respondedAt = ack !== undefined && resolved !== undefined ? Math.min(ack, resolved) : (ack ?? resolved);
  const row: FaultRow = {
    id: f.id, code: f.code, severity: f.severity, title: f.title, checkId: f.checkId, subject: f.subject, detectedAt: f.detectedAt,
    response: 'pending', resolution: 'n/a',
  };
  if (f.acknowledgedAt) row.acknowledgedAt = f.acknowledgedAt;
  if (f.resolvedAt) row.resolvedAt = f.resolvedAt;
  if (f.deskReceivedAt) {
    row.deskReceivedAt = f.deskReceivedAt;
    row.receiptMinutes = round1((Date.parse(f.deskReceivedAt) - detected) / MIN);
  }
  if (respondedAt !== undefined) {
    row.responseMinutes = round1((respondedAt - detected) / MIN);
    row.response = respondedAt - detected <= SLA.respondMinutes * MIN ? 'met' : 'missed'; // judged unrounded
  } else if (asOf - detected > SLA.respondMinutes * MIN) row.response = 'missed';
  if (resolved !== undefined) row.resolutionHours = round1((resolved - detected) / HOUR);
  else row.openHours = round1((asOf - detected) / HOUR);
  const target = SLA.resolveHours[f.severity];
  if (target !== undefined) {
    if (resolved !== undefined) row.resolution = resolved - detected <= target * HOUR ? 'met' : 'missed';
    else row.resolution = asOf - detected > target * HOUR ? 'missed' : 'pending';
  }
  return row;
}

export function slaSummary(rows: FaultRow[]): SlaSummary {
  const bySeverity: Record<Severity, number> = { critical: 0, major: 0, minor: 0 };
  for (const r of rows) bySeverity[r.severity]++;
  const share = (list: FaultRow[], ok: (r: FaultRow) => boolean | undefined): number | null => {
    const judged = list.filter((r) => ok(r) !== undefined);
    return judged.length ? round1((judged.filter((r) => ok(r)).length / judged.length) * 100) : null;
  };
  const verdict = (v: Verdict) => (v === 'met' ? true : v === 'missed' ? false : undefined);
  // "Fixed within N h" counts resolved faults and those open longer than N h (a miss); faults younger than N h wait.
  const fixedWithin = (hours: number) => (r: FaultRow) => {
    if (!r.resolvedAt) return (r.openHours ?? 0) > hours ? false : undefined;
    return Date.parse(r.resolvedAt) - Date.parse(r.detectedAt) <= hours * HOUR;
  };
  return {
    faults: rows.length,
    bySeverity,
    respondedWithin10Min: share(rows, (r) => verdict(r.response)),
    criticalWithin12h: share(rows.filter((r) => r.severity === 'critical'), (r) => verdict(r.resolution)),
    majorWithin24h: share(rows.filter((r) => r.severity === 'major'), (r) => verdict(r.resolution)),
    fixedWithin2h: share(rows, fixedWithin(2)),
    fixedWithin4h: share(rows, fixedWithin(4)),
  };
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
