import type { AgentRow } from './store/types.js';
import type { ServiceFigure } from './service-report.js';

/**
 * The fleet's month against the contracts' figures, per site and terminal: % responded within the target, % critical
 * and major resolved in time, % fixed within 2 h and 4 h; the worst terminals, faults by code, the previous month
 * for the trend, and the agents that did not report (listed, not silently skipped).
 */
export interface Compliance {
  faults: number;
  /** percent of faults with a verdict that met it, one decimal; null when none had one */
  respondedInTime: number | null;
  criticalInTime: number | null;
  majorInTime: number | null;
  fixedWithin2h: number | null;
  fixedWithin4h: number | null;
}

export interface FleetSummary {
  compliance: Compliance;
  previous: Compliance;
  sites: Array<{ siteCode: string; agents: number; compliance: Compliance; inspection: { passed: number; failed: number; terminalsFailing: number } }>;
  /** each terminal's inspection checklist for the month, from its last heartbeat (agent/report) */
  inspections: Array<{ agentId: string; siteCode: string; complete: boolean; pass: number; fail: number; na: number; failed: string[] }>;
  /** terminals whose last heartbeat carries no inspection for the month (not yet upgraded, or silent) */
  noInspection: Array<{ agentId: string; siteCode: string }>;
  /** most faults first (critical ones weigh most), at most 10 */
  worstAgents: Array<{ agentId: string; siteCode: string; faults: number; critical: number; missed: number }>;
  byCode: Array<{ code: string; faults: number; previous: number }>;
  /** agents whose last contact is before the month (or never) */
  silentAgents: Array<{ agentId: string; siteCode: string; lastSeen: string | null }>;
}

const share = (list: ServiceFigure[], ok: (f: ServiceFigure) => boolean | undefined): number | null => {
  const judged = list.map(ok).filter((x): x is boolean => x !== undefined);
  return judged.length ? Math.round((judged.filter(Boolean).length / judged.length) * 1000) / 10 : null;
};

/** `now` judges open faults: older than N h is "not fixed within N h", younger is not yet judged. */
export function compliance(figures: ServiceFigure[], now: Date): Compliance {
  const verdict = (v: ServiceFigure['respond']) => (v === 'met' || v === 'not-needed' ? true : v === 'missed' ? false : undefined);
  const fixedWithin = (hours: number) => (f: ServiceFigure) => {
    if (f.resolveSeconds !== null) return f.resolveSeconds <= hours * 3600;
    return now.getTime() - Date.parse(f.detectedAt) > hours * 3_600_000 ? false : undefined;
  };
  return {
    faults: figures.length,
    respondedInTime: share(figures, (f) => verdict(f.respond)),
    criticalInTime: share(figures.filter((f) => f.severity === 'critical'), (f) => verdict(f.resolve)),
    majorInTime: share(figures.filter((f) => f.severity === 'major'), (f) => verdict(f.resolve)),
    fixedWithin2h: share(figures, fixedWithin(2)),
    fixedWithin4h: share(figures, fixedWithin(4)),
  };
}

export function fleetSummary(figures: ServiceFigure[], previous: ServiceFigure[], agents: AgentRow[], range: { month: string; from: string }, now: Date): FleetSummary {
  const from = range.from;
  const inspections: FleetSummary['inspections'] = [];
  const noInspection: FleetSummary['noInspection'] = [];
  for (const a of agents) {
    const b = a.health?.inspection?.find((x) => x.month === range.month);
    if (b) inspections.push({ agentId: a.id, siteCode: a.siteCode, complete: b.complete, pass: b.pass, fail: b.fail, na: b.na, failed: b.failed });
    else noInspection.push({ agentId: a.id, siteCode: a.siteCode });
  }
  inspections.sort((x, y) => y.fail - x.fail || x.agentId.localeCompare(y.agentId));
  const inspectionAt = (site: string) => {
    const mine = inspections.filter((i) => i.siteCode === site);
    return { passed: mine.reduce((n, i) => n + i.pass, 0), failed: mine.reduce((n, i) => n + i.fail, 0), terminalsFailing: mine.filter((i) => i.fail > 0).length };
  };
  const sites = [...new Set([...agents.map((a) => a.siteCode), ...figures.map((f) => f.siteCode)])].sort();
  // Grouped once: a fleet has hundreds of sites and tens of thousands of faults a month.
  const figuresAt = new Map<string, ServiceFigure[]>();
  for (const f of figures) {
    const list = figuresAt.get(f.siteCode);
    if (list) list.push(f);
    else figuresAt.set(f.siteCode, [f]);
  }
  const agentsAt = new Map<string, number>();
  for (const a of agents) agentsAt.set(a.siteCode, (agentsAt.get(a.siteCode) ?? 0) + 1);
  const perAgent = new Map<string, { agentId: string; siteCode: string; faults: number; critical: number; missed: number }>();
  for (const f of figures) {
    const a = perAgent.get(f.agentId) ?? { agentId: f.agentId, siteCode: f.siteCode, faults: 0, critical: 0, missed: 0 };
    a.faults++;
    if (f.severity === 'critical') a.critical++;
    if (f.respond === 'missed' || f.resolve === 'missed') a.missed++;
    perAgent.set(f.agentId, a);
  }
  const codes = new Map<string, { code: string; faults: number; previous: number }>();
  for (const [list, key] of [[figures, 'faults'], [previous, 'previous']] as const) {
    for (const f of list) {
      const c = codes.get(f.code) ?? { code: f.code, faults: 0, previous: 0 };
      c[key]++;
      codes.set(f.code, c);
    }
  }
  return {
    compliance: compliance(figures, now),
    previous: compliance(previous, now),
    sites: sites.map((siteCode) => ({ siteCode, agents: agentsAt.get(siteCode) ?? 0, compliance: compliance(figuresAt.get(siteCode) ?? [], now), inspection: inspectionAt(siteCode) })),
    inspections,
    noInspection,
    worstAgents: [...perAgent.values()].sort((a, b) => b.critical - a.critical || b.missed - a.missed || b.faults - a.faults || a.agentId.localeCompare(b.agentId)).slice(0, 10),
    byCode: [...codes.values()].sort((a, b) => b.faults - a.faults || a.code.localeCompare(b.code)),
    silentAgents: agents.filter((a) => a.lastSeen === null || a.lastSeen < from).map((a) => ({ agentId: a.id, siteCode: a.siteCode, lastSeen: a.lastSeen })),
  };
}
