import { METRICS, type MetricDefinition, type MetricGroup } from './metrics-definitions.js';

/** docs/metrics.md: the metric contract, rendered from the same table GET /metrics is written from. */

const GROUPS: Record<MetricGroup, { title: string; intro?: string }> = {
  agent: { title: 'Agent' },
  checks: {
    title: 'Checks',
    intro:
      'One series per check and subject of the last run. `guardpost_check_up` says whether it was ok; why not is in ' +
      '`guardpost_check_reason_info`, so the up series keeps its identity while the reason changes. A failing probe may ' +
      'have fewer phases than a good one: its missing phase series go stale, the others keep their names.',
  },
  certificates: {
    title: 'Certificates',
    intro:
      'One series per certificate the agent watches — certificate files (`cert` checks), tokens (`token` checks) and the ' +
      'chains endpoints present (`settlement`, `certserver`) — named by check, source and name, never by fingerprint, so ' +
      'a renewed certificate continues the series (the `x509_cert_not_after` of x509 exporters). Two certificates with one ' +
      'name in one source are told apart by role (`name (signing)`), else by expiry: the earliest keeps the name, the next ' +
      'is `name #2`. blackbox_exporter\'s `probe_ssl_earliest_cert_expiry` for an endpoint is ' +
      '`min by (check, source) (guardpost_certificate_not_after_timestamp_seconds{source="tls:<endpoint>"})`. An endpoint ' +
      'that cannot be reached has no chain in that run, so its certificate series are absent until it answers again.',
  },
  faults: { title: 'Faults' },
  store: { title: 'Outbox and state' },
  tunnel: { title: 'Desk tunnel' },
  page: { title: 'Local page' },
  process: { title: 'Process', intro: '`process_resident_memory_bytes`, `process_cpu_seconds_total` and `process_start_time_seconds` as Prometheus client libraries name them.' },
};

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function labelsCell(d: MetricDefinition): string {
  if (d.labels.length === 0) return '—';
  return d.labels.map((l) => `\`${l.name}\`: ${cell(l.meaning)}${l.values ? ` (${l.values.map((v) => `\`${v}\``).join(', ')}: each always written)` : ''}`).join('<br>');
}

export function renderMetricsMarkdown(): string {
  const defs = Object.values(METRICS) as MetricDefinition[];
  const out: string[] = [
    '# Metrics',
    '',
    '<!-- Generated from agent/web/metrics-definitions.ts by `guardpost docs metrics`; do not edit by hand. -->',
    '',
    '`GET /metrics` on the local page\'s address (`http://127.0.0.1:8620/metrics` by default) answers in the Prometheus text',
    'format 0.0.4, for a scraper on this machine or a hospital\'s exporter behind it. Every family below is always written',
    '(with its `# HELP` and `# TYPE`), in this order; timestamps are Unix seconds, durations seconds, sizes bytes.',
    '',
    '**Series identity is stable.** No label carries a value that changes while the thing measured stays the same: states',
    'are in the value (`guardpost_tunnel_up`, and `guardpost_tunnel_state` with every state written as 0 or 1), and facts',
    'that do change are in an `_info` series of their own (`guardpost_check_reason_info`, `guardpost_certificate_info`),',
    'joined where needed:',
    '',
    '```promql',
    '# a failing check, with its reason',
    '(guardpost_check_up == 0) * on (check, subject) group_left (reason) guardpost_check_reason_info',
    '# a certificate expiring within 14 days, with its fingerprint',
    '(guardpost_certificate_not_after_timestamp_seconds - time() < 14 * 86400)',
    '  * on (check, source, certificate) group_left (sha256) guardpost_certificate_info',
    '```',
    '',
  ];
  for (const [group, { title, intro }] of Object.entries(GROUPS) as [MetricGroup, (typeof GROUPS)[MetricGroup]][]) {
    const members = defs.filter((d) => d.group === group);
    if (members.length === 0) continue;
    out.push(`## ${title}`, '');
    if (intro) out.push(intro, '');
    out.push('| metric | type | meaning | labels |', '|---|---|---|---|');
    for (const d of members) out.push(`| \`${d.name}\` | ${d.type} | ${cell(d.help)} | ${labelsCell(d)} |`);
    out.push('');
  }
  return out.join('\n');
}
