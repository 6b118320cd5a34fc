import type { FaultState } from '../core/faults/types.js';
import type { TunnelStatus } from '../core/runtime/status.js';
import { SEVERITIES } from '../core/severity.js';

/**
 * Every metric family GET /metrics exposes, in the order it is written: the one table the renderer
 * (metrics-text.ts) writes from and `guardpost docs metrics` documents (docs/metrics.md). A family or label not
 * here cannot be written.
 *
 * Identity rule: a series' labels never carry a value that changes while the thing measured stays the same (a
 * reason, a state, a fingerprint). State is in the value; facts that change go into an `_info` series of their own,
 * whose identity changing is its purpose.
 */

export interface LabelDefinition {
  name: string;
  meaning: string;
  /** The closed list of values, where there is one: every value is always written (0 or 1, a state set). */
  values?: readonly string[];
}

export interface MetricDefinition {
  name: string;
  type: 'gauge' | 'counter';
  help: string;
  labels: readonly LabelDefinition[];
  /** Section of docs/metrics.md. */
  group: MetricGroup;
}

export type MetricGroup = 'agent' | 'checks' | 'certificates' | 'faults' | 'store' | 'tunnel' | 'page' | 'process';

export const TUNNEL_STATES = ['disabled', 'connecting', 'connected', 'disconnected'] as const satisfies readonly TunnelStatus['state'][];
// Compile-time guard: a new tunnel state must be added above, or its state-set series would be missing.
const tunnelStatesComplete: Exclude<TunnelStatus['state'], (typeof TUNNEL_STATES)[number]> extends never ? true : never = true;
void tunnelStatesComplete;

/** The states of an active fault (resolved ones are not active). */
export const FAULT_STATES = ['open', 'acknowledged'] as const satisfies readonly FaultState[];

export const REFUSAL_REASONS = ['bad_host', 'cross_site', 'bad_origin', 'bad_csrf_token'] as const;

const check: LabelDefinition = { name: 'check', meaning: 'the check id from the configuration' };
const subject: LabelDefinition = {
  name: 'subject',
  meaning: 'what the result is about: an endpoint name, a mount point, a file; for a certificate `<source> <name>` (its fingerprint left out, so a renewal keeps the series)',
};
const certificate: LabelDefinition[] = [
  check,
  { name: 'source', meaning: 'where the certificate was read: a file path, `token:<name>`, `tls:<endpoint>`' },
  { name: 'certificate', meaning: 'its name in the source: the token label or the CN (for a TLS chain `<host> server`, `<host> chain[1]`, …), stable across renewals' },
];

const m = <const T extends MetricDefinition>(d: T): T => d;

export const METRICS = {
  info: m({ name: 'guardpost_info', type: 'gauge', group: 'agent', help: 'Agent identity; always 1.', labels: [
    { name: 'agent_id', meaning: 'the agent id (config `agent.id`)' },
    { name: 'version', meaning: 'the Guardpost version' },
    { name: 'terminal', meaning: 'the terminal id (config `site.terminalId`)' },
    { name: 'fixmedins_code', meaning: 'the medical institution code (config `site.fixmedins_code`)' },
  ] }),
  overallState: m({ name: 'guardpost_overall_state', type: 'gauge', group: 'agent', help: 'Settlement readiness: 0 ok, 1 degraded, 2 down.', labels: [] }),

  checkUp: m({ name: 'guardpost_check_up', type: 'gauge', group: 'checks', help: 'Last result per check and subject: 1 ok, 0 failed.', labels: [check, { name: 'type', meaning: 'the check type (`settlement`, `cert`, `disk`, …)' }, subject] }),
  checkReason: m({ name: 'guardpost_check_reason_info', type: 'gauge', group: 'checks', help: 'Reason of the last result per check and subject (ok, or a code of the check\'s closed list); always 1.', labels: [
    check,
    subject,
    { name: 'reason', meaning: '`ok` or the reason code (docs/faults.md): this series is replaced when the reason changes, `guardpost_check_up` is not' },
  ] }),
  checkDuration: m({ name: 'guardpost_check_duration_seconds', type: 'gauge', group: 'checks', help: 'Duration of the last probe per check and subject.', labels: [check, subject] }),
  checkPhaseDuration: m({ name: 'guardpost_check_phase_duration_seconds', type: 'gauge', group: 'checks', help: 'Duration of each phase of the last probe (dns, connect, tls, ...), where the check has phases.', labels: [
    check,
    subject,
    { name: 'phase', meaning: '`dns`, `connect`, `proxy`, `tls`, `send`, `firstByte`, `body`: the phases the last probe ran' },
  ] }),
  checkLastRun: m({ name: 'guardpost_check_last_run_timestamp_seconds', type: 'gauge', group: 'checks', help: 'When each check last finished (Unix time).', labels: [check] }),

  certNotAfter: m({ name: 'guardpost_certificate_not_after_timestamp_seconds', type: 'gauge', group: 'certificates', help: 'Expiry (notAfter) of each certificate the agent watches: files, tokens, endpoints (Unix time).', labels: certificate }),
  certNotBefore: m({ name: 'guardpost_certificate_not_before_timestamp_seconds', type: 'gauge', group: 'certificates', help: 'Start of validity (notBefore) of each watched certificate (Unix time).', labels: certificate }),
  certChainNotAfter: m({ name: 'guardpost_certificate_chain_not_after_timestamp_seconds', type: 'gauge', group: 'certificates', help: 'Earliest expiry on the verified chain above each certificate (Unix time); only where the chain was verified.', labels: certificate }),
  certInfo: m({ name: 'guardpost_certificate_info', type: 'gauge', group: 'certificates', help: 'Which certificate is there now; always 1. Replaced at a renewal, the other certificate series are not.', labels: [
    ...certificate,
    { name: 'subject_dn', meaning: 'the subject DN' },
    { name: 'issuer_dn', meaning: 'the issuer DN' },
    { name: 'serial', meaning: 'the serial number, hex as encoded' },
    { name: 'sha256', meaning: 'the SHA-256 fingerprint of the DER, hex' },
  ] }),

  faultsOpen: m({ name: 'guardpost_faults_open', type: 'gauge', group: 'faults', help: 'Active faults by severity and state (open or acknowledged by the desk); muted faults count.', labels: [
    { name: 'severity', meaning: 'the grade', values: SEVERITIES },
    { name: 'state', meaning: 'acknowledged by the desk or not', values: FAULT_STATES },
  ] }),

  outboxDepth: m({ name: 'guardpost_outbox_depth', type: 'gauge', group: 'store', help: 'Fault transitions waiting for the desk.', labels: [] }),
  outboxBytes: m({ name: 'guardpost_outbox_bytes', type: 'gauge', group: 'store', help: 'Size of the waiting transitions.', labels: [] }),
  outboxEvicted: m({ name: 'guardpost_outbox_evicted_total', type: 'counter', group: 'store', help: 'Transitions dropped by the outbox caps.', labels: [] }),
  outboxOldest: m({ name: 'guardpost_outbox_oldest_pending_timestamp_seconds', type: 'gauge', group: 'store', help: 'Time of the oldest waiting transition (NaN when none).', labels: [] }),
  storeWriteFailing: m({ name: 'guardpost_store_write_failing', type: 'gauge', group: 'store', help: '1 while the state file cannot be written.', labels: [] }),

  tunnelUp: m({ name: 'guardpost_tunnel_up', type: 'gauge', group: 'tunnel', help: '1 while connected to the service desk.', labels: [] }),
  tunnelState: m({ name: 'guardpost_tunnel_state', type: 'gauge', group: 'tunnel', help: 'Desk connection state: 1 for the current state, 0 for the others.', labels: [
    { name: 'state', meaning: 'the connection state', values: TUNNEL_STATES },
  ] }),
  tunnelLastContact: m({ name: 'guardpost_tunnel_last_contact_timestamp_seconds', type: 'gauge', group: 'tunnel', help: 'Last message from the desk (NaN when none).', labels: [] }),

  pageRefused: m({ name: 'guardpost_page_refused_requests_total', type: 'counter', group: 'page', help: 'Requests the local page refused, by reason (bad_host: DNS rebinding; cross_site, bad_origin, bad_csrf_token: another page).', labels: [
    { name: 'reason', meaning: 'why', values: REFUSAL_REASONS },
  ] }),

  rss: m({ name: 'process_resident_memory_bytes', type: 'gauge', group: 'process', help: 'Resident memory size in bytes.', labels: [] }),
  cpu: m({ name: 'process_cpu_seconds_total', type: 'counter', group: 'process', help: 'Total user and system CPU time spent in seconds.', labels: [] }),
  cpuUser: m({ name: 'process_cpu_user_seconds_total', type: 'counter', group: 'process', help: 'User CPU time spent in seconds.', labels: [] }),
  cpuSystem: m({ name: 'process_cpu_system_seconds_total', type: 'counter', group: 'process', help: 'System CPU time spent in seconds.', labels: [] }),
  startTime: m({ name: 'process_start_time_seconds', type: 'gauge', group: 'process', help: 'Start time of the process since the Unix epoch in seconds.', labels: [] }),
  heapUsed: m({ name: 'nodejs_heap_used_bytes', type: 'gauge', group: 'process', help: 'V8 heap in use.', labels: [] }),
} as const satisfies Record<string, MetricDefinition>;

export type MetricKey = keyof typeof METRICS;

/** The label names of a family, as a type: a sample must give exactly these. */
export type LabelsOf<K extends MetricKey> = { [L in (typeof METRICS)[K]['labels'][number]['name']]: string };
