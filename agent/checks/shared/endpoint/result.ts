import type { Evidence, ProbeResult } from '../../../core/checks/result.js';
import type { Text } from '../../../core/text.js';
import { NET_REASONS, type ProbeOutcome } from '../../../net/index.js';
import { round } from '../format.js';
import type { ResolvedEndpoint } from './endpoint.js';

/** Consecutive slow probes per endpoint, in memory: a restart starts counting afresh. */
export class SlowStreaks {
  private readonly counts = new Map<string, number>();

  /** Records one probe; returns the streak including it (0 when it was not slow). */
  record(name: string, slow: boolean): number {
    const n = slow ? (this.counts.get(name) ?? 0) + 1 : 0;
    this.counts.set(name, n);
    return n;
  }
}

/** Labels for inhibition and grouping: the host the probe is about (not the proxy), port and kind. Never secrets. */
export function endpointLabels(ep: ResolvedEndpoint): Record<string, string> {
  return { host: ep.host.toLowerCase(), ...(ep.kind === 'dns' ? {} : { port: String(ep.port) }), kind: ep.kind };
}

/** The facts worth a glance in the message: status codes and the error code. */
function detail(e: Evidence): Text {
  const parts: string[] = [];
  if (e.status !== undefined) parts.push(`HTTP ${String(e.status)}`);
  if (e.proxyStatus !== undefined) parts.push(`proxy HTTP ${String(e.proxyStatus)}`);
  if (e.tlsError !== undefined) parts.push(String(e.tlsError));
  else if (e.error !== undefined) parts.push(String(e.error));
  return parts.length ? { zh: `（${parts.join('，')}）`, en: ` (${parts.join(', ')})` } : { zh: '', en: '' };
}

/**
 * The endpoint's ProbeResult: its outcome plus the slowness rule (slow only after `slowAfter` slow probes in a row).
 * The subject is the endpoint's name; phases and total time are kept for the history and the monthly figures.
 */
export function endpointResult(ep: ResolvedEndpoint, o: ProbeOutcome, streaks: SlowStreaks, now: Date): ProbeResult {
  const slowNow = o.reason === 'ok' && o.totalMs > ep.slowMs;
  const streak = streaks.record(ep.name, slowNow);
  const reason = o.reason === 'ok' && streak >= ep.slowAfter ? 'slow' : o.reason;
  const evidence: Evidence = { target: ep.display, totalMs: round(o.totalMs, 1), ...o.evidence };
  if (slowNow) Object.assign(evidence, { slowStreak: streak, slowMs: ep.slowMs });
  const ms = Math.round(o.totalMs);
  let message: Text;
  if (reason === 'ok') {
    const status = o.answer ? `，HTTP ${o.answer.status}` : '';
    message = {
      zh: `${ep.name}（${ep.display}）正常，耗时 ${ms} 毫秒${status}${slowNow ? `（较慢，连续第 ${streak} 次）` : ''}`,
      en: `${ep.name} (${ep.display}) ok in ${ms} ms${o.answer ? `, HTTP ${o.answer.status}` : ''}${slowNow ? ` (slow, ${streak} in a row)` : ''}`,
    };
  } else if (reason === 'slow') {
    message = {
      zh: `${ep.name}（${ep.display}）响应缓慢：耗时 ${ms} 毫秒，连续 ${streak} 次超过 ${ep.slowMs / 1000} 秒`,
      en: `${ep.name} (${ep.display}) slow: ${ms} ms, over ${ep.slowMs / 1000} s ${streak} times in a row`,
    };
  } else {
    const t: Text = (NET_REASONS as Record<string, Text>)[reason] ?? { zh: reason, en: reason };
    const d = detail(o.evidence);
    message = { zh: `${ep.name}（${ep.display}）：${t.zh}${d.zh}`, en: `${ep.name} (${ep.display}): ${t.en}${d.en}` };
  }
  return {
    status: reason === 'ok' ? 'ok' : 'fail',
    reason,
    subject: ep.name,
    labels: endpointLabels(ep),
    evidence,
    phases: o.phases,
    message,
    time: now.toISOString(),
    durationMs: round(o.totalMs, 1),
  };
}
