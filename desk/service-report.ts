import type { Severity } from '../agent/core/severity.js';
import type { DeskConfig } from './config.js';
import type { FaultRow } from './store/types.js';

/**
 * Service figures per fault occurrence against the maintenance contract: detection → desk receipt, detection →
 * acknowledgement (respond within `respondMinutes`), detection → resolution (critical within 12 h, major within
 * 24 h by default). The timestamps are stored with each occurrence; verdicts are computed when the report is made.
 */
export type Verdict = 'met' | 'missed' | 'pending' | 'not-needed' | 'n/a';

export interface ServiceFigure {
  id: string;
  agentId: string;
  siteCode: string;
  code: string;
  severity: Severity;
  detectedAt: string;
  receiptSeconds: number;
  responseSeconds: number | null;
  respond: Verdict;
  resolveSeconds: number | null;
  resolveTargetHours: number | null;
  resolve: Verdict;
  resolvedInferred: boolean;
}

export interface ServiceReport {
  from: string;
  to: string;
  targets: DeskConfig['targets'];
  totals: Record<Severity, { faults: number; respond: Record<Verdict, number>; resolve: Record<Verdict, number>; medianReceiptSeconds: number | null }>;
  faults: ServiceFigure[];
}

/** A month's bounds in China Standard Time (UTC+8), the contracts' time zone. */
export function monthRange(month: string): { from: string; to: string } {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) throw new Error(`month must be YYYY-MM, got "${month}"`);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const next = mo === 12 ? `${y + 1}-01` : `${y}-${String(mo + 1).padStart(2, '0')}`;
  return { from: new Date(`${month}-01T00:00:00+08:00`).toISOString(), to: new Date(`${next}-01T00:00:00+08:00`).toISOString() };
}

export function previousMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

export function figureFor(f: FaultRow, targets: DeskConfig['targets'], now: Date): ServiceFigure {
  const age = (now.getTime() - Date.parse(f.detectedAt)) / 1000;
  const respondLimit = targets.respondMinutes * 60;
  let respond: Verdict;
  if (f.responseSeconds !== null) respond = f.responseSeconds <= respondLimit ? 'met' : 'missed';
  else if (f.resolveSeconds !== null && f.resolveSeconds <= respondLimit) respond = 'not-needed';
  else respond = age > respondLimit ? 'missed' : 'pending';
  const sev = f.maxSeverity;
  const hours = sev === 'critical' ? targets.resolveHours.critical : sev === 'major' ? targets.resolveHours.major : null;
  let resolve: Verdict = 'n/a';
  if (hours !== null) {
    if (f.resolveSeconds !== null) resolve = f.resolveSeconds <= hours * 3600 ? 'met' : 'missed';
    else resolve = f.state === 'resolved' ? 'pending' : age > hours * 3600 ? 'missed' : 'pending';
  }
  return {
    id: f.id,
    agentId: f.agentId,
    siteCode: f.siteCode,
    code: f.code,
    severity: sev,
    detectedAt: f.detectedAt,
    receiptSeconds: f.receiptSeconds,
    responseSeconds: f.responseSeconds,
    respond,
    resolveSeconds: f.resolveSeconds,
    resolveTargetHours: hours,
    resolve,
    resolvedInferred: f.resolvedInferred,
  };
}

export function serviceReport(rows: FaultRow[], range: { from: string; to: string }, targets: DeskConfig['targets'], now: Date): ServiceReport {
  const faults = rows.map((r) => figureFor(r, targets, now));
  const empty = (): Record<Verdict, number> => ({ met: 0, missed: 0, pending: 0, 'not-needed': 0, 'n/a': 0 });
  const totals = {} as ServiceReport['totals'];
  for (const s of ['critical', 'major', 'minor'] as const) {
    const list = faults.filter((f) => f.severity === s);
    const receipts = list.map((f) => f.receiptSeconds).sort((a, b) => a - b);
    const t = { faults: list.length, respond: empty(), resolve: empty(), medianReceiptSeconds: receipts.length ? receipts[Math.floor(receipts.length / 2)]! : null };
    for (const f of list) {
      t.respond[f.respond]++;
      t.resolve[f.resolve]++;
    }
    totals[s] = t;
  }
  return { ...range, targets, totals, faults };
}
