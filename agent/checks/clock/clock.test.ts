import { describe, expect, it } from 'vitest';
import type { ProbeResult } from '../../core/checks/result.js';
import { checkConfigWithDefaults } from '../../core/config/check-config.js';
import { neverAborted, testContext } from '../shared/testing.js';
import { plugin } from './index.js';
import type { ClockConfig } from './schema.js';

const config = (partial: Record<string, unknown> = {}): ClockConfig => checkConfigWithDefaults(plugin, partial);

/** A simulated machine: `elapse` moves both clocks; `setClock` moves only the wall clock, as a person or NTP would. */
function machine(start = Date.parse('2025-03-10T08:00:00Z')) {
  let wall = start;
  let mono = 1_000_000;
  return {
    ctx: { ...testContext({ now: () => new Date(wall) }), monotonic: () => mono },
    elapse(ms: number) {
      wall += ms;
      mono += ms;
    },
    setClock(deltaMs: number) {
      wall += deltaMs;
    },
  };
}

const MIN = 60_000;

describe('clock probe', () => {
  it('is ok while wall and monotonic time advance together, with small drift tolerated', async () => {
    const m = machine();
    const probe = plugin.createProbe(config(), m.ctx);
    expect((await probe.run(neverAborted))[0]).toMatchObject({ status: 'ok', subject: 'system-clock', evidence: { driftSeconds: 0, jumps: 0 } });
    m.elapse(MIN);
    m.setClock(30_000); // a 30 s NTP step: below the 120 s line
    const [r] = await probe.run(neverAborted);
    expect(r).toMatchObject({ status: 'ok', evidence: { driftSeconds: 30, jumps: 0 } });
  });

  it('reports a forward jump with its size and times, holds it for holdMinutes, then is ok', async () => {
    const m = machine();
    const cfg = config({ holdMinutes: 10 });
    const probe = plugin.createProbe(cfg, m.ctx);
    await probe.run(neverAborted);
    m.elapse(MIN);
    m.setClock(3 * 3_600_000); // set three hours ahead
    const [jumped] = await probe.run(neverAborted);
    expect(jumped).toMatchObject({
      status: 'fail',
      reason: 'clock_jumped',
      evidence: { jumpSeconds: 10_800, direction: 'forward', from: '2025-03-10T08:01:00.000Z', to: '2025-03-10T11:01:00.000Z', jumps: 1 },
    });
    expect(jumped!.message.zh).toContain('向前跳了 10800 秒');
    expect(jumped!.message.en).toContain('jumped forward by 10800 s');
    expect(plugin.rules(jumped!, cfg)).toEqual({ code: 'CLOCK_JUMPED', severity: 'major' });

    m.elapse(9 * MIN);
    const [held] = await probe.run(neverAborted);
    expect(held).toMatchObject({ status: 'fail', reason: 'clock_jumped', evidence: { jumpSeconds: 10_800, minutesSinceJump: 9, driftSeconds: 0 } });

    m.elapse(MIN);
    expect((await probe.run(neverAborted))[0]).toMatchObject({ status: 'ok', evidence: { jumps: 1 } });
  });

  it('reports a backward jump', async () => {
    const m = machine();
    const probe = plugin.createProbe(config({ thresholdSeconds: 60 }), m.ctx);
    await probe.run(neverAborted);
    m.elapse(MIN);
    m.setClock(-5 * MIN);
    const [r] = await probe.run(neverAborted);
    expect(r).toMatchObject({ status: 'fail', evidence: { jumpSeconds: -300, direction: 'backward' } });
    expect(r!.message.zh).toContain('向后跳了 300 秒');
  });

  it('restarts the hold on a second jump', async () => {
    const m = machine();
    const probe = plugin.createProbe(config({ holdMinutes: 10 }), m.ctx);
    await probe.run(neverAborted);
    m.setClock(10 * MIN);
    await probe.run(neverAborted);
    m.elapse(8 * MIN);
    m.setClock(-20 * MIN);
    const [second] = await probe.run(neverAborted);
    expect(second).toMatchObject({ status: 'fail', evidence: { jumpSeconds: -1200, jumps: 2, minutesSinceJump: 0 } });
    m.elapse(9 * MIN);
    expect((await probe.run(neverAborted))[0]!.status).toBe('fail');
  });

  it('keeps readings per probe: a new probe (restart) starts without a baseline', async () => {
    const m = machine();
    await plugin.createProbe(config(), m.ctx).run(neverAborted);
    m.setClock(24 * 60 * MIN);
    expect((await plugin.createProbe(config(), m.ctx).run(neverAborted))[0]!.status).toBe('ok');
  });

  it('works on the real clocks without a jump', async () => {
    const probe = plugin.createProbe(config(), testContext());
    await probe.run(neverAborted);
    await new Promise((r) => setTimeout(r, 20));
    const [r] = await probe.run(neverAborted);
    expect(r!.status).toBe('ok');
    expect(Math.abs(Number(r!.evidence.driftSeconds))).toBeLessThan(1);
  });

  it('rules raise nothing for other reasons', () => {
    const r: ProbeResult = { status: 'fail', reason: 'timeout', subject: 'system-clock', evidence: {}, message: { zh: '', en: '' }, time: '', durationMs: 0 };
    expect(plugin.rules(r, config())).toBeNull();
  });
});
