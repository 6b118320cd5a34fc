import { afterAll, describe, expect, it } from 'vitest';
import { plugin } from '../../agent/checks/settlement/index.js';
import { ClockSkewTracker, skewSeconds } from '../../agent/checks/settlement/clock-skew.js';
import { httpServer, skewedServer, type Running } from './support/servers.js';
import { runOnce, settlementConfig, subject } from './support/run.js';

const servers: Running[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});
const rules = (r: Parameters<typeof plugin.rules>[0]) => plugin.rules(r, settlementConfig({ endpoints: [{ name: 'x', url: 'http://x/' }] }));

describe('clock skew from the platform\'s HTTP Date header', () => {
  it('a server whose Date is 10 minutes ahead: clock_skew with skewSeconds ≈ -600 → CLOCK_SKEW critical (the clock check\'s grading)', async () => {
    const s = await skewedServer(10 * 60_000);
    servers.push(s);
    const results = await runOnce({ endpoints: [{ name: 'platform', url: s.url }] });
    expect(subject(results, 'platform').status).toBe('ok');
    const clock = subject(results, 'system-clock');
    expect(clock).toMatchObject({ status: 'fail', reason: 'clock_skew', evidence: { references: 1 } });
    expect(Math.abs(Number(clock.evidence.skewSeconds) + 600)).toBeLessThanOrEqual(2);
    expect(String(clock.evidence.reference)).toContain('platform');
    expect(clock.message.zh).toContain('本程序不会修改时间');
    expect(rules(clock)).toEqual({ code: 'CLOCK_SKEW', severity: 'critical' });
  });

  it('is ok with an honest server, and endpoints with clockReference false are not asked', async () => {
    const honest = await httpServer();
    const liar = await skewedServer(-3_600_000);
    servers.push(honest, liar);
    const results = await runOnce({ endpoints: [{ name: 'a', url: honest.url }, { name: 'b', url: liar.url, clockReference: false }] });
    expect(subject(results, 'system-clock')).toMatchObject({ status: 'ok', evidence: { references: 1 } });
  });

  it('grades by the size: 90 s major, 30 s nothing, either direction', () => {
    const t = new ClockSkewTracker();
    const at = Date.parse('2025-03-10T08:00:00Z');
    const r90 = t.result([{ reference: 'p', date: new Date(at - 90_000).toUTCString(), localMs: at }], new Date(at))!;
    expect(r90).toMatchObject({ reason: 'clock_skew', evidence: { skewSeconds: 90 } });
    expect(rules(r90)).toEqual({ code: 'CLOCK_SKEW', severity: 'major' });
    const r30 = t.result([{ reference: 'p', date: new Date(at + 30_000).toUTCString(), localMs: at }], new Date(at))!;
    expect(r30).toMatchObject({ status: 'ok', evidence: { skewSeconds: -30 } });
  });

  it('takes the median of several references, and holds the last reading while none answers', () => {
    const t = new ClockSkewTracker();
    const at = Date.parse('2025-03-10T08:00:00Z');
    const ref = (offsetS: number) => ({ reference: `r${offsetS}`, date: new Date(at - offsetS * 1000).toUTCString(), localMs: at });
    const r = t.result([ref(0), ref(400), ref(2)], new Date(at))!;
    expect(r).toMatchObject({ status: 'ok', evidence: { skewSeconds: 2, references: 3 } });
    const bad = t.result([ref(400)], new Date(at))!;
    expect(bad.status).toBe('fail');
    const held = t.result([], new Date(at + 60_000))!;
    expect(held).toMatchObject({ status: 'fail', reason: 'clock_skew', evidence: { skewSeconds: 400, held: true } });
    expect(new ClockSkewTracker().result([], new Date(at))).toBeNull();
  });

  it('ignores a Date header that is not a date', () => {
    expect(skewSeconds('not a date', Date.now())).toBeNull();
    expect(skewSeconds('Mon, 10 Mar 2025 08:00:00 GMT', Date.parse('2025-03-10T08:01:00Z'))).toBe(60);
  });
});
