import { describe, expect, it } from 'vitest';
import type { Fault } from '../../agent/core/faults/types.js';
import { decodeFrame } from '../../agent/tunnel/protocol/codec.js';
import { CLOSE } from '../../agent/tunnel/protocol/constants.js';
import { nextBatch, wireTransition } from '../../agent/tunnel/outbox-reader.js';
import { bypassesProxy as bypassed } from '../../agent/net/index.js';
import { chooseProxy } from '../../agent/tunnel/proxy.js';
import { gradeUnreachable, skewResult } from '../../agent/tunnel/sources.js';
import { mergeFault } from '../../desk/store/fault-merge.js';
import { figureFor, monthRange } from '../../desk/service-report.js';

const fault = (over: Partial<Fault> = {}): Fault => ({
  id: 'occ-1',
  key: 'k',
  code: 'TEST_FAULT',
  severity: 'major',
  title: { zh: '测试', en: 'test' },
  detail: { zh: '', en: '' },
  checkId: 'probe',
  subject: 's',
  labels: {},
  evidence: {},
  firstSeen: '2026-07-01T00:00:00.000Z',
  lastSeen: '2026-07-01T00:00:00.000Z',
  occurrences: 1,
  state: 'open',
  inhibitedBy: [],
  ...over,
});

describe('frame decoding', () => {
  it('names what is wrong and where', () => {
    const bad = (s: string, sender: 'agent' | 'desk' = 'agent') => decodeFrame(Buffer.from(s), false, sender, 1000);
    expect(bad('nope')).toMatchObject({ ok: false, close: CLOSE.malformed });
    expect(bad('{"type":"ack","upToSeq":0}', 'desk')).toEqual({ ok: false, close: CLOSE.invalid, reason: 'ack: /upToSeq must be >= 1' });
    expect(bad('{"type":"ack","upToSeq":3}')).toMatchObject({ ok: false, close: CLOSE.unknownType }); // an ack is the desk's
    expect(bad(JSON.stringify({ type: 'x', pad: 'y'.repeat(2000) }))).toMatchObject({ ok: false, close: CLOSE.tooBig });
    expect(bad('{"type":"heartbeat-ack","deskTime":"2026-07-01T00:00:00Z","extra":1}', 'desk')).toMatchObject({ ok: true });
  });
});

describe('outbox reading', () => {
  const t = (seq: number, subject = 's') => ({ seq, kind: 'opened' as const, at: '2026-07-01T00:00:00.000Z', detectedAt: '2026-07-01T00:00:00.000Z', fault: fault({ subject }) });
  it('batches after the cursor, never beyond the durable seq, within count and bytes', () => {
    const outbox = [1, 2, 3, 5, 8, 9].map((s) => t(s));
    expect(nextBatch(outbox, 2, 100, { events: 10, bytes: 1e9 }).map((x) => x.seq)).toEqual([3, 5, 8, 9]);
    expect(nextBatch(outbox, 2, 5, { events: 10, bytes: 1e9 }).map((x) => x.seq)).toEqual([3, 5]);
    expect(nextBatch(outbox, 0, 100, { events: 2, bytes: 1e9 }).map((x) => x.seq)).toEqual([1, 2]);
    expect(nextBatch(outbox, 0, 100, { events: 10, bytes: 1 }).map((x) => x.seq)).toEqual([1]);
    expect(nextBatch(outbox, 9, 100, { events: 10, bytes: 1e9 })).toEqual([]);
  });
  it('trims a transition the desk would refuse instead of blocking the outbox', () => {
    const huge = t(1, 'x'.repeat(5000));
    const wire = wireTransition(huge);
    expect(wire.fault.subject.length).toBe(1024);
    expect(wire.fault.evidence.trimmedForDesk).toBe(true);
    const fine = t(2);
    expect(wireTransition(fine)).toBe(fine);
  });
});

describe('proxy choice', () => {
  const desk = { enabled: true, url: 'wss://desk.example.com:8443/agent' };
  const target = new URL(desk.url);
  it('config first, then HTTPS_PROXY with credentials, unless NO_PROXY names the desk', () => {
    expect(chooseProxy(target, { ...desk, proxy: { url: 'http://10.0.0.1:3128', username: 'u' } }, { HTTPS_PROXY: 'http://other:1' })).toMatchObject({ host: '10.0.0.1', port: 3128, username: 'u', source: 'config desk.proxy' });
    expect(chooseProxy(target, desk, { HTTPS_PROXY: 'http://a%40b:p%3Aw@proxy.lan:8080' })).toMatchObject({ host: 'proxy.lan', port: 8080, username: 'a@b', password: 'p:w', source: 'env HTTPS_PROXY' });
    expect(chooseProxy(target, desk, { https_proxy: 'proxy.lan:3128' })).toMatchObject({ host: 'proxy.lan', port: 3128 });
    expect(chooseProxy(target, desk, {})).toBeNull();
    expect(chooseProxy(target, desk, { HTTPS_PROXY: 'http://p:1', NO_PROXY: '.example.com' })).toBeNull();
    expect(() => chooseProxy(target, desk, { HTTPS_PROXY: 'socks5://p:1' })).toThrow(/only http:\/\//);
  });
  it('NO_PROXY follows curl: *, domains with their subdomains, ports', () => {
    expect(bypassed('desk.example.com', 443, '*')).toBe(true);
    expect(bypassed('desk.example.com', 443, 'example.com')).toBe(true);
    expect(bypassed('desk.example.com', 443, '*.example.com')).toBe(true);
    expect(bypassed('badexample.com', 443, 'example.com')).toBe(false);
    expect(bypassed('desk.example.com', 443, 'example.com:8443')).toBe(false);
    expect(bypassed('desk.example.com', 8443, 'example.com:8443')).toBe(true);
    expect(bypassed('10.1.2.3', 443, '10.1.2.3, localhost')).toBe(true);
  });
});

describe('tunnel observations', () => {
  it('DESK_UNREACHABLE: nothing before the minor threshold, minor, then major', () => {
    const g = { minorAfterMs: 600_000, majorAfterMs: 4 * 3600_000 };
    expect(gradeUnreachable(599, g)).toBeNull();
    expect(gradeUnreachable(600, g)).toEqual({ code: 'DESK_UNREACHABLE', severity: 'minor' });
    expect(gradeUnreachable(4 * 3600, g)).toEqual({ code: 'DESK_UNREACHABLE', severity: 'major' });
  });
  it('clock skew against the desk fails only beyond the clock check tolerance', () => {
    expect(skewResult(new Date(), 12, 5)).toMatchObject({ status: 'ok' });
    expect(skewResult(new Date(), -400, 5)).toMatchObject({ status: 'fail', reason: 'clock_skew', evidence: { skewSeconds: -400, reference: 'desk' } });
  });
});

describe('desk fault merge', () => {
  const n = (over: object) => ({ fault: fault(), kind: 'opened' as const, seq: 1, at: '2026-07-01T00:00:00.000Z', receivedAt: '2026-07-01T00:00:05.000Z', stateSeq: 0, stateAt: null, ...over });
  it('state only moves forward; the body follows the highest seq; receipt is the first', () => {
    const opened = mergeFault(undefined, n({}));
    expect(opened).toMatchObject({ state: 'open', receipt_seconds: 5, body_seq: 1 });
    const resolved = mergeFault(opened, n({ kind: 'resolved', seq: 3, fault: fault({ state: 'resolved', resolvedAt: '2026-07-01T01:00:00.000Z' }), receivedAt: '2026-07-01T02:00:00.000Z' }));
    expect(resolved).toMatchObject({ state: 'resolved', resolved_at: '2026-07-01T01:00:00.000Z', resolve_seconds: 3600, receipt_seconds: 5 });
    const late = mergeFault(resolved, n({ kind: 'updated', seq: 2, fault: fault({ severity: 'critical' }) }));
    expect(late).toMatchObject({ state: 'resolved', severity: 'major', max_severity: 'critical' });
  });
  it('an event older than the last snapshot, for an occurrence the snapshot lacked, is a resolved one', () => {
    expect(mergeFault(undefined, n({ seq: 4, stateSeq: 10, stateAt: '2026-07-01T03:00:00.000Z' }))).toMatchObject({ state: 'resolved', resolved_inferred: 1, resolved_at: '2026-07-01T03:00:00.000Z' });
  });
});

describe('service figures', () => {
  const targets = { respondMinutes: 10, resolveHours: { critical: 12, major: 24 } };
  const row = (over: object) =>
    ({ id: 'x', agentId: 'a', siteCode: 's', code: 'C', severity: 'critical', maxSeverity: 'critical', state: 'open', detectedAt: '2026-07-01T00:00:00.000Z', receiptSeconds: 1, responseSeconds: null, resolveSeconds: null, resolvedInferred: false, ...over }) as never;
  it('respond within 10 minutes; critical resolved within 12 h, major 24 h; minor has no resolve target', () => {
    const now = new Date('2026-07-01T00:05:00.000Z');
    expect(figureFor(row({}), targets, now)).toMatchObject({ respond: 'pending', resolve: 'pending' });
    expect(figureFor(row({}), targets, new Date('2026-07-01T13:00:00.000Z'))).toMatchObject({ respond: 'missed', resolve: 'missed' });
    expect(figureFor(row({ responseSeconds: 300, resolveSeconds: 11 * 3600, state: 'resolved' }), targets, now)).toMatchObject({ respond: 'met', resolve: 'met' });
    expect(figureFor(row({ maxSeverity: 'major', responseSeconds: 900, resolveSeconds: 25 * 3600 }), targets, now)).toMatchObject({ respond: 'missed', resolve: 'missed', resolveTargetHours: 24 });
    expect(figureFor(row({ maxSeverity: 'minor', resolveSeconds: 120, state: 'resolved' }), targets, now)).toMatchObject({ respond: 'not-needed', resolve: 'n/a' });
  });
  it('months are in China Standard Time', () => {
    expect(monthRange('2026-07')).toEqual({ from: '2026-06-30T16:00:00.000Z', to: '2026-07-31T16:00:00.000Z' });
    expect(monthRange('2026-12').to).toBe('2026-12-31T16:00:00.000Z');
    expect(() => monthRange('2026-13')).toThrow(/YYYY-MM/);
  });
});

describe('snapshot size', () => {
  it('cuts an oversized fault set to the most severe ones and says it is incomplete', async () => {
    const { fitFaults } = await import('../../agent/tunnel/outbox-reader.js');
    const many = Array.from({ length: 50 }, (_, i) => fault({ id: `f${i}`, severity: i === 49 ? 'critical' : 'minor', detail: { zh: 'x'.repeat(1000), en: '' } }));
    const all = fitFaults(many, 5000, 10_000_000);
    expect(all).toMatchObject({ complete: true });
    expect(all.faults).toHaveLength(50);
    const cut = fitFaults(many, 5000, 10_000);
    expect(cut.complete).toBe(false);
    expect(cut.faults[0]!.id).toBe('f49');
    expect(cut.faults.length).toBeLessThan(10);
  });
});

describe('desk limits, the parts', () => {
  it('a token bucket gives its burst, then its rate, and says how long an overdraft takes to repay', async () => {
    const { TokenBucket } = await import('../../desk/server/token-bucket.js');
    const b = new TokenBucket(10, 100, 0);
    expect(b.take(100, 0)).toBe(0);
    expect(b.tryTake(1, 0)).toBe(false);
    expect(b.tryTake(1, 100)).toBe(true); // 1 token refilled in 100 ms
    expect(b.take(50, 100)).toBe(5000); // 50 overdrawn at 10/s
    expect(b.balance(5100)).toBeCloseTo(0);
    expect(b.balance(1_000_000)).toBe(100); // never above the burst
  });
  it('quotas count per day of China Standard Time and refuse what would exceed them, bytes first', async () => {
    const { QuotaMeter, quotaDay } = await import('../../desk/store/quota.js');
    expect(quotaDay('2026-07-01T15:59:59.999Z')).toBe('2026-07-01');
    expect(quotaDay('2026-07-01T16:00:00.000Z')).toBe('2026-07-02');
    const m = new QuotaMeter(9, 900, { maxOpenFaults: 10, bytesPerDay: 1000 });
    expect(m.admit(50, true)).toBe(true);
    expect(m.admit(10, true)).toBe(false); // the 11th open occurrence
    expect(m.admit(10, false)).toBe(true); // news about a known one
    m.resolved();
    expect(m.admit(10, true)).toBe(true);
    expect(m.admit(100, false)).toBe(false); // past the day's bytes
    expect(m.refused).toEqual({ 'open-faults': 1, 'bytes-per-day': 1 });
    expect(m.storedBytes).toBe(970);
  });
});
