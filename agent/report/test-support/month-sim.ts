/**
 * Test and benchmark helper: a month of a terminal's results, fed through the real agent (engine, store, roll-ups)
 * on a controllable clock. Values follow simple formulas so that tests can compute the expected figures by hand.
 */
import type { ProbeResult } from '../../core/checks/result.js';
import type { EngineCheck } from '../../core/faults/engine.js';
import type { Agent } from '../../core/runtime/agent.js';

export const SIM_TYPES: Record<string, string> = { disk: 'disk', settlement: 'settlement', reader: 'reader', cert: 'cert' };

const sev = (code: string, severity: 'minor' | 'major' | 'critical') => ({ code, severity });
/** Result sources named like the checks they stand for, with those checks' fault codes. */
export const SIM_SOURCES: EngineCheck[] = [
  { id: 'disk', raiseAfter: 1, clearAfter: 1, rules: (r) => (r.status === 'fail' ? sev('DISK_SPACE_LOW', 'major') : null) },
  { id: 'settlement', raiseAfter: 1, clearAfter: 1, rules: (r) => (r.status === 'fail' ? sev('PLATFORM_UNREACHABLE', 'major') : null) },
  { id: 'reader', raiseAfter: 1, clearAfter: 1, rules: (r) => (r.status === 'fail' ? sev('READER_LINK_ERRORS', 'minor') : null) },
  { id: 'cert', raiseAfter: 1, clearAfter: 1, rules: (r) => (r.status === 'fail' ? sev('CERT_EXPIRING', 'major') : null) },
];

export class SimClock {
  constructor(public ms: number) {}
  readonly now = (): Date => new Date(this.ms);
}

/** Epoch ms of a local (UTC+8) wall time. */
export function cst(month: string, day: number, hour: number, minute = 0): number {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return Date.UTC(y, m - 1, day, hour - 8, minute);
}

export function simResult(status: 'ok' | 'fail', reason: string, subject: string, evidence: ProbeResult['evidence'], at: number): ProbeResult {
  return { status, reason, subject, evidence, message: { zh: reason, en: reason }, time: new Date(at).toISOString(), durationMs: 1 };
}

export interface MonthPlan {
  month: string;
  days: number;
  /** the first `settlementFailDays` days have one failed probe at 03:00 (a fault resolved at 04:00) */
  settlementFailDays: number;
  /** of those faults, the first `acked` are acknowledged 5 minutes after detection */
  acked: number;
  /** answered probe latency by hour of day */
  latencyMs: (hour: number) => number;
  /** used percent of /var and / on a day */
  diskVar: (day: number) => number;
  diskRoot: (day: number) => number;
  certDaysLeft: (day: number) => number;
  /** reader subject → number of days (from the 1st) its daily probe fails */
  readerFailDays: Record<string, number>;
  /** called after each day, e.g. to restart the agent */
  afterDay?: (day: number) => Promise<void>;
}

type SimAgent = Pick<Agent, 'report' | 'acknowledge' | 'engine'>;

/** Feeds a month: settlement hourly, disk, certificates and readers daily at noon. */
export async function simulateMonth(agent: () => SimAgent, clock: SimClock, plan: MonthPlan): Promise<void> {
  let acked = 0;
  for (let day = 1; day <= plan.days; day++) {
    for (let hour = 0; hour < 24; hour++) {
      clock.ms = cst(plan.month, day, hour);
      const fail = hour === 3 && day <= plan.settlementFailDays;
      const r = fail
        ? simResult('fail', 'unreachable', 'ybj-platform', { error: 'ECONNREFUSED' }, clock.ms)
        : simResult('ok', 'ok', 'ybj-platform', { totalMs: plan.latencyMs(hour) }, clock.ms);
      await agent().report('settlement', [r]);
      if (fail && acked < plan.acked) {
        clock.ms = cst(plan.month, day, hour, 5);
        const f = agent().engine.active().find((x) => x.code === 'PLATFORM_UNREACHABLE');
        if (f && (await agent().acknowledge(f.id, 'engineer-1'))) acked++;
      }
      if (hour !== 12) continue;
      const at = clock.ms;
      await agent().report('disk', [
        simResult('ok', 'ok', '/var', { usedPercent: plan.diskVar(day) }, at),
        simResult('ok', 'ok', '/', { usedPercent: plan.diskRoot(day) }, at),
      ]);
      const days = plan.certDaysLeft(day);
      await agent().report('cert', [
        simResult('ok', 'ok', 'settlement-client', { daysLeft: days, revocation: 'good', notAfter: new Date(at + days * 86_400_000).toISOString() }, at),
        simResult('ok', 'ok', 'ca-root', { daysLeft: 2000, revocation: 'good' }, at),
      ]);
      await agent().report(
        'reader',
        Object.entries(plan.readerFailDays).map(([subject, n]) =>
          day <= n ? simResult('fail', 'link_errors', subject, { failedInWindow: 4 }, at) : simResult('ok', 'ok', subject, { failedInWindow: 0 }, at),
        ),
      );
    }
    await plan.afterDay?.(day);
  }
}
