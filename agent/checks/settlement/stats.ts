import type { ProbeResult } from '../../core/checks/result.js';
import { compareText } from '../../core/text.js';

/** Percentiles reported per endpoint and phase. */
export const STAT_PERCENTILES = [50, 90, 95, 99] as const;

export interface Percentiles {
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

export interface EndpointStats {
  subject: string;
  /** Endpoint probes in the window (framework failures such as a whole-run timeout carry no endpoint and are not counted). */
  probes: number;
  /** Probes where the endpoint worked: ok, or ok but slow. */
  available: number;
  /** available / probes × 100, two decimals. */
  availabilityPercent: number;
  /** Failures by reason, e.g. { tcp_refused: 3 }. */
  failures: Record<string, number>;
  /** Total time of the available probes, ms; null when none. */
  latencyMs: Percentiles | null;
  /** Each phase's duration over the available probes that ran it, ms. */
  phasesMs: Record<string, Percentiles>;
  firstTime: string;
  lastTime: string;
}

const ENDPOINT_KINDS = new Set(['http', 'tls', 'tcp', 'dns', 'signin']);

/** Nearest-rank percentile of sorted values: the smallest value with at least p % of the values at or below it. */
export function nearestRank(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

function percentiles(values: number[]): Percentiles {
  const s = [...values].sort((a, b) => a - b);
  return { p50: nearestRank(s, 50), p90: nearestRank(s, 90), p95: nearestRank(s, 95), p99: nearestRank(s, 99), max: s.at(-1)! };
}

/**
 * Availability and latency percentiles per endpoint from stored results (the check history, or a month of it), for
 * the health page and the monthly report. Pure: results of other subjects (clock, certificates) are ignored, and
 * `from`/`to` (inclusive, ISO times) select the window.
 */
export function endpointStats(results: ProbeResult[], window: { from?: string; to?: string } = {}): EndpointStats[] {
  const from = window.from ? Date.parse(window.from) : -Infinity;
  const to = window.to ? Date.parse(window.to) : Infinity;
  const by = new Map<string, ProbeResult[]>();
  for (const r of results) {
    if (!ENDPOINT_KINDS.has(r.labels?.kind ?? '')) continue;
    const t = Date.parse(r.time);
    if (!(t >= from && t <= to)) continue;
    let list = by.get(r.subject);
    if (!list) by.set(r.subject, (list = []));
    list.push(r);
  }
  const out: EndpointStats[] = [];
  for (const [subject, list] of by) {
    const good = list.filter((r) => r.status === 'ok' || r.reason === 'slow');
    const failures: Record<string, number> = {};
    for (const r of list) if (r.status === 'fail' && r.reason !== 'slow') failures[r.reason] = (failures[r.reason] ?? 0) + 1;
    const phaseValues = new Map<string, number[]>();
    for (const r of good) {
      for (const [phase, ms] of Object.entries(r.phases ?? {})) {
        let v = phaseValues.get(phase);
        if (!v) phaseValues.set(phase, (v = []));
        v.push(ms);
      }
    }
    const times = list.map((r) => r.time).sort();
    out.push({
      subject,
      probes: list.length,
      available: good.length,
      availabilityPercent: Math.round((good.length / list.length) * 10_000) / 100,
      failures,
      latencyMs: good.length ? percentiles(good.map((r) => r.durationMs)) : null,
      phasesMs: Object.fromEntries([...phaseValues].map(([phase, v]) => [phase, percentiles(v)])),
      firstTime: times[0]!,
      lastTime: times.at(-1)!,
    });
  }
  return out.sort((a, b) => compareText(a.subject, b.subject));
}
