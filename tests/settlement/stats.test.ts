import { describe, expect, it } from 'vitest';
import type { ProbeResult } from '../../agent/core/checks/result.js';
import { endpointStats, nearestRank } from '../../agent/checks/settlement/stats.js';

const r = (subject: string, minute: number, status: 'ok' | 'fail', reason: string, durationMs: number, phases?: Record<string, number>, kind = 'http'): ProbeResult => ({
  status,
  reason,
  subject,
  labels: { host: 'h', kind },
  evidence: {},
  ...(phases ? { phases } : {}),
  message: { zh: '', en: '' },
  time: new Date(Date.UTC(2025, 2, 1, 0, minute)).toISOString(),
  durationMs,
});

describe('endpointStats: availability and latency percentiles per endpoint', () => {
  it('nearest-rank percentiles', () => {
    const s = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect([50, 90, 95, 99, 100].map((p) => nearestRank(s, p))).toEqual([5, 9, 10, 10, 10]);
    expect(nearestRank([42], 99)).toBe(42);
    expect(nearestRank([], 50)).toBeNaN();
  });

  it('counts ok and slow as available, other failures by reason; latency and phases over the available probes only', () => {
    const results: ProbeResult[] = [];
    for (let i = 0; i < 18; i++) results.push(r('platform', i, 'ok', 'ok', 100 + i, { dns: 1, connect: 10 + i, firstByte: 80 }));
    results.push(r('platform', 18, 'fail', 'slow', 4000, { dns: 1, connect: 10, firstByte: 3900 }));
    results.push(r('platform', 19, 'fail', 'tcp_refused', 2, { connect: 2 }));
    results.push(r('system-clock', 19, 'ok', 'ok', 0, undefined, '')); // not an endpoint
    results.push({ ...r('platform', 20, 'fail', 'timeout', 30000), labels: undefined }); // a framework failure: no endpoint labels
    const [s] = endpointStats(results);
    expect(s).toMatchObject({
      subject: 'platform',
      probes: 20,
      available: 19,
      availabilityPercent: 95,
      failures: { tcp_refused: 1 },
      firstTime: '2025-03-01T00:00:00.000Z',
      lastTime: '2025-03-01T00:19:00.000Z',
    });
    expect(s!.latencyMs).toEqual({ p50: 109, p90: 117, p95: 4000, p99: 4000, max: 4000 });
    expect(s!.phasesMs.firstByte).toMatchObject({ p50: 80, max: 3900 });
    expect(s!.phasesMs.connect!.p50).toBe(18);
    expect(endpointStats(results).map((x) => x.subject)).toEqual(['platform']);
  });

  it('selects a window and keeps endpoints apart; an endpoint never available has no latency', () => {
    const results = [r('a', 0, 'ok', 'ok', 10), r('a', 30, 'ok', 'ok', 20), r('b', 5, 'fail', 'dns_not_found', 1, undefined, 'dns')];
    const stats = endpointStats(results, { from: '2025-03-01T00:01:00Z', to: '2025-03-01T00:59:00Z' });
    expect(stats.map((s) => [s.subject, s.probes, s.availabilityPercent])).toEqual([
      ['a', 1, 100],
      ['b', 1, 0],
    ]);
    expect(stats[1]!.latencyMs).toBeNull();
    expect(endpointStats([])).toEqual([]);
  });
});
