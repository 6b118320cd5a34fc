import { SEVERITIES } from '../core/severity.js';
import type { AgentStatus } from '../core/runtime/status.js';

/** Prometheus text exposition format 0.0.4, written by hand: a dozen families do not justify a client library. */

type Labels = Record<string, string>;

export function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

class Exposition {
  private readonly out: string[] = [];

  family(name: string, type: 'gauge' | 'counter', help: string, samples: Array<[Labels, number]>): void {
    this.out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) {
      const keys = Object.keys(labels);
      const l = keys.length ? `{${keys.map((k) => `${k}="${escapeLabel(labels[k]!)}"`).join(',')}}` : '';
      this.out.push(`${name}${l} ${Number.isFinite(value) ? value : 'NaN'}`);
    }
  }

  text(): string {
    return this.out.join('\n') + '\n';
  }
}

const seconds = (ms: number) => ms / 1000;
const epoch = (iso: string | undefined) => (iso ? Date.parse(iso) / 1000 : NaN);

export function metricsText(s: AgentStatus, processStartSeconds: number, refusals: Readonly<Record<string, number>> = {}): string {
  const e = new Exposition();
  const agentLabels = { agent_id: s.agent.id, version: s.agent.version, terminal: s.site.terminalId, fixmedins_code: s.site.fixmedins_code };
  e.family('guardpost_info', 'gauge', 'Agent identity; always 1.', [[agentLabels, 1]]);
  e.family('guardpost_overall_state', 'gauge', 'Settlement readiness: 0 ok, 1 degraded, 2 down.', [[{}, s.overall === 'ok' ? 0 : s.overall === 'degraded' ? 1 : 2]]);

  const checks = s.checks.filter((c) => c.last?.length);
  e.family(
    'guardpost_check_up',
    'gauge',
    'Last result per check and subject: 1 ok, 0 failed.',
    checks.flatMap((c) => c.last!.map((r): [Labels, number] => [{ check: c.id, type: c.type, subject: r.subject, reason: r.reason }, r.status === 'ok' ? 1 : 0])),
  );
  e.family(
    'guardpost_check_duration_seconds',
    'gauge',
    'Duration of the last probe per check and subject.',
    checks.flatMap((c) => c.last!.map((r): [Labels, number] => [{ check: c.id, subject: r.subject }, seconds(r.durationMs)])),
  );
  e.family(
    'guardpost_check_phase_duration_seconds',
    'gauge',
    'Duration of each phase of the last probe (dns, connect, tls, ...), where the check has phases.',
    checks.flatMap((c) =>
      c.last!.flatMap((r) => Object.entries(r.phases ?? {}).map(([phase, ms]): [Labels, number] => [{ check: c.id, subject: r.subject, phase }, seconds(ms)])),
    ),
  );
  e.family(
    'guardpost_check_last_run_timestamp_seconds',
    'gauge',
    'When each check last finished (Unix time).',
    checks.map((c): [Labels, number] => [{ check: c.id }, epoch(c.lastRunAt)]),
  );

  const open = (sev: string, state: string) => s.faults.filter((f) => f.severity === sev && f.state === state).length;
  e.family(
    'guardpost_faults_open',
    'gauge',
    'Active faults by severity and state (open or acknowledged by the desk); muted faults count.',
    SEVERITIES.flatMap((sev) => (['open', 'acknowledged'] as const).map((state): [Labels, number] => [{ severity: sev, state }, open(sev, state)])),
  );
  e.family('guardpost_outbox_depth', 'gauge', 'Fault transitions waiting for the desk.', [[{}, s.store.outboxDepth]]);
  e.family('guardpost_outbox_bytes', 'gauge', 'Size of the waiting transitions.', [[{}, s.store.outboxBytes]]);
  e.family('guardpost_outbox_evicted_total', 'counter', 'Transitions dropped by the outbox caps.', [[{}, s.store.evicted]]);
  e.family('guardpost_outbox_oldest_pending_timestamp_seconds', 'gauge', 'Time of the oldest waiting transition (NaN when none).', [
    [{}, epoch(s.store.oldestPendingAt)],
  ]);
  e.family('guardpost_store_write_failing', 'gauge', '1 while the state file cannot be written.', [[{}, s.store.writeError ? 1 : 0]]);
  e.family('guardpost_tunnel_up', 'gauge', '1 while connected to the service desk.', [[{ state: s.tunnel.state }, s.tunnel.state === 'connected' ? 1 : 0]]);
  e.family('guardpost_tunnel_last_contact_timestamp_seconds', 'gauge', 'Last message from the desk (NaN when none).', [[{}, epoch(s.tunnel.lastContactAt)]]);

  e.family(
    'guardpost_page_refused_requests_total',
    'counter',
    'Requests the local page refused, by reason (bad_host: DNS rebinding; cross_site, bad_origin, bad_csrf_token: another page).',
    ['bad_host', 'cross_site', 'bad_origin', 'bad_csrf_token'].map((reason): [Labels, number] => [{ reason }, refusals[reason] ?? 0]),
  );
  e.family('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', [[{}, s.process.rssBytes]]);
  e.family('process_cpu_seconds_total', 'counter', 'Total user and system CPU time spent in seconds.', [[{}, seconds(s.process.cpuUserMs + s.process.cpuSystemMs)]]);
  e.family('process_cpu_user_seconds_total', 'counter', 'User CPU time spent in seconds.', [[{}, seconds(s.process.cpuUserMs)]]);
  e.family('process_cpu_system_seconds_total', 'counter', 'System CPU time spent in seconds.', [[{}, seconds(s.process.cpuSystemMs)]]);
  e.family('process_start_time_seconds', 'gauge', 'Start time of the process since the Unix epoch in seconds.', [[{}, processStartSeconds]]);
  e.family('nodejs_heap_used_bytes', 'gauge', 'V8 heap in use.', [[{}, s.process.heapUsedBytes]]);
  return e.text();
}
