import type { AgentStatus } from '../core/runtime/status.js';
import { SEVERITIES } from '../core/severity.js';
import { FAULT_STATES, REFUSAL_REASONS, TUNNEL_STATES } from './metrics-definitions.js';
import { Exposition, type Sample } from './metrics-exposition.js';
import { seriesSubjects, type SeriesSubject } from './metrics-subjects.js';

export { escapeLabel, formatValue } from './metrics-exposition.js';

/** Milliseconds as seconds, rounded to the microsecond (phases are measured to 10 µs). */
const seconds = (ms: number): number => Math.round(ms * 1000) / 1e6;
const epoch = (iso: string | undefined): number => (iso ? Date.parse(iso) / 1000 : NaN);

/** GET /metrics: the agent's status as the families of metrics-definitions.ts, every series named stably. */
export function metricsText(s: AgentStatus, processStartSeconds: number, refusals: Readonly<Record<string, number>> = {}): string {
  const e = new Exposition();
  e.family('info', [[{ agent_id: s.agent.id, version: s.agent.version, terminal: s.site.terminalId, fixmedins_code: s.site.fixmedins_code }, 1]]);
  e.family('overallState', [[{}, s.overall === 'ok' ? 0 : s.overall === 'degraded' ? 1 : 2]]);

  const checks = s.checks.filter((c) => c.last?.length).map((c) => ({ check: c, series: seriesSubjects(c.last!) }));
  const each = <T>(f: (check: string, type: string, r: SeriesSubject) => T[]): T[] => checks.flatMap(({ check, series }) => series.flatMap((r) => f(check.id, check.type, r)));
  e.family('checkUp', each((check, type, r): Sample<'checkUp'>[] => [[{ check, type, subject: r.subject }, r.result.status === 'ok' ? 1 : 0]]));
  e.family('checkReason', each((check, _t, r): Sample<'checkReason'>[] => [[{ check, subject: r.subject, reason: r.result.reason }, 1]]));
  e.family('checkDuration', each((check, _t, r): Sample<'checkDuration'>[] => [[{ check, subject: r.subject }, seconds(r.result.durationMs)]]));
  e.family(
    'checkPhaseDuration',
    each((check, _t, r) => Object.entries(r.result.phases ?? {}).map(([phase, ms]): Sample<'checkPhaseDuration'> => [{ check, subject: r.subject, phase }, seconds(ms)])),
  );
  e.family('checkLastRun', checks.map(({ check }): Sample<'checkLastRun'> => [{ check: check.id }, epoch(check.lastRunAt)]));

  const certs = each((check, _t, r) => (r.certificate ? [{ check, c: r.certificate }] : []));
  const certLabels = (check: string, c: { source: string; certificate: string }) => ({ check, source: c.source, certificate: c.certificate });
  e.family('certNotAfter', certs.flatMap(({ check, c }): Sample<'certNotAfter'>[] => (c.notAfter === undefined ? [] : [[certLabels(check, c), c.notAfter]])));
  e.family('certNotBefore', certs.flatMap(({ check, c }): Sample<'certNotBefore'>[] => (c.notBefore === undefined ? [] : [[certLabels(check, c), c.notBefore]])));
  e.family('certChainNotAfter', certs.flatMap(({ check, c }): Sample<'certChainNotAfter'>[] => (c.chainNotAfter === undefined ? [] : [[certLabels(check, c), c.chainNotAfter]])));
  e.family(
    'certInfo',
    certs.map(({ check, c }): Sample<'certInfo'> => [{ ...certLabels(check, c), subject_dn: c.subjectDn, issuer_dn: c.issuerDn, serial: c.serial, sha256: c.sha256 }, 1]),
  );

  const open = (severity: string, state: string) => s.faults.filter((f) => f.severity === severity && f.state === state).length;
  e.family('faultsOpen', SEVERITIES.flatMap((severity) => FAULT_STATES.map((state): Sample<'faultsOpen'> => [{ severity, state }, open(severity, state)])));
  e.family('outboxDepth', [[{}, s.store.outboxDepth]]);
  e.family('outboxBytes', [[{}, s.store.outboxBytes]]);
  e.family('outboxEvicted', [[{}, s.store.evicted]]);
  e.family('outboxOldest', [[{}, epoch(s.store.oldestPendingAt)]]);
  e.family('storeWriteFailing', [[{}, s.store.writeError ? 1 : 0]]);

  e.family('tunnelUp', [[{}, s.tunnel.state === 'connected' ? 1 : 0]]);
  e.family('tunnelState', TUNNEL_STATES.map((state): Sample<'tunnelState'> => [{ state }, s.tunnel.state === state ? 1 : 0]));
  e.family('tunnelLastContact', [[{}, epoch(s.tunnel.lastContactAt)]]);

  e.family('pageRefused', REFUSAL_REASONS.map((reason): Sample<'pageRefused'> => [{ reason }, refusals[reason] ?? 0]));
  e.family('rss', [[{}, s.process.rssBytes]]);
  e.family('cpu', [[{}, seconds(s.process.cpuUserMs + s.process.cpuSystemMs)]]);
  e.family('cpuUser', [[{}, seconds(s.process.cpuUserMs)]]);
  e.family('cpuSystem', [[{}, seconds(s.process.cpuSystemMs)]]);
  e.family('startTime', [[{}, processStartSeconds]]);
  e.family('heapUsed', [[{}, s.process.heapUsedBytes]]);
  return e.text();
}
