import { afterEach, describe, expect, it } from 'vitest';
import type { Probe } from '../checks/plugin.js';
import type { ProbeResult } from '../checks/result.js';
import { fixturePlugin, okResult } from '../isolation/test-fixtures/fixture-plugin.js';
import { sleep, testContext, waitFor } from '../isolation/test-fixtures/context.js';
import { Scheduler } from './scheduler.js';
import { ManualTimers } from './test-fixtures/manual-timers.js';
import type { RunInfo, ScheduledCheck, SchedulerOptions } from './types.js';

interface Report {
  id: string;
  results: ProbeResult[];
  run: RunInfo;
}

function check(id: string, probe: Partial<Probe> & Pick<Probe, 'run'>, opts: Partial<ScheduledCheck> = {}): ScheduledCheck {
  return {
    id,
    plugin: fixturePlugin(id, 'inline:test', () => probe),
    config: {},
    intervalSeconds: 60,
    timeoutSeconds: 5,
    isolated: false,
    ...opts,
  };
}

const schedulers: Scheduler[] = [];

function scheduler(checks: ScheduledCheck[], extra: Partial<SchedulerOptions> = {}): { s: Scheduler; reports: Report[] } {
  const reports: Report[] = [];
  const s = new Scheduler({
    checks,
    onResults: (id, results, run) => {
      reports.push({ id, results, run });
    },
    contextFor: (id) => testContext(id),
    ...extra,
  });
  schedulers.push(s);
  return { s, reports };
}

const healthyProbe = (counter: { runs: number }): Probe => ({
  async run() {
    counter.runs += 1;
    return [okResult('healthy', { runs: counter.runs })];
  },
});

const never = (): Promise<never> => new Promise(() => {});

afterEach(async () => {
  await Promise.all(schedulers.splice(0).map((s) => s.stop(500)));
});

describe('Scheduler', () => {
  it('sweeps every check once at start-up, concurrently, then spreads the first runs over the interval', async () => {
    const timers = new ManualTimers();
    const counters = { a: { runs: 0 }, b: { runs: 0 } };
    let concurrent = 0;
    let maxConcurrent = 0;
    const slowHealthy = (counter: { runs: number }): Probe => ({
      async run() {
        concurrent += 1;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        await sleep(50);
        concurrent -= 1;
        return healthyProbe(counter).run(new AbortController().signal);
      },
    });
    const { s, reports } = scheduler(
      [
        check('a', slowHealthy(counters.a), { intervalSeconds: 10 }),
        check('b', slowHealthy(counters.b), { intervalSeconds: 20, jitterPercent: 20 }),
      ],
      { timers, random: () => 0.25 },
    );
    await s.start();
    expect(reports.map((r) => [r.id, r.run.trigger, r.run.outcome]).sort()).toEqual([
      ['a', 'startup', 'ok'],
      ['b', 'startup', 'ok'],
    ]);
    expect(maxConcurrent).toBe(2);
    // first scheduled runs at random() * interval
    expect(timers.armed()).toEqual([2500, 5000]);

    await timers.advance(2500);
    await waitFor(() => reports.length === 3, 2000);
    expect(reports[2]).toMatchObject({ id: 'a', run: { trigger: 'schedule' } });
    // then every interval ± jitter: 10 s * (1 + 0.10 * (2 * 0.25 - 1)) = 9.5 s
    expect(timers.armed()).toEqual([2500, 9500]);
    await timers.advance(2500);
    await waitFor(() => reports.length === 4, 2000);
    // 20 s * (1 + 0.20 * (2 * 0.25 - 1)) = 18 s
    expect(timers.armed()).toEqual([7000, 18_000]);
  });

  it('keeps the healthy check on schedule while another check never resolves; the hung one reports timeout then busy', async () => {
    const healthy = { runs: 0 };
    let hungSignal: AbortSignal | null = null;
    let hungStarts = 0;
    const { s, reports } = scheduler([
      check('healthy', healthyProbe(healthy), { intervalSeconds: 0.2, timeoutSeconds: 1 }),
      check('hung', { run: (signal) => { hungStarts += 1; hungSignal = signal; return never(); } }, { intervalSeconds: 0.2, timeoutSeconds: 0.3 }),
    ]);
    void s.start();
    await sleep(2500);
    expect(healthy.runs).toBeGreaterThanOrEqual(5);
    const hung = reports.filter((r) => r.id === 'hung');
    expect(hung.length).toBeGreaterThanOrEqual(3);
    expect(hung[0]!.run.outcome).toBe('timeout');
    expect(hung[0]!.results).toEqual([
      expect.objectContaining({ status: 'fail', reason: 'timeout', subject: 'hung', evidence: { timeoutSeconds: 0.3 } }),
    ]);
    expect(hung[0]!.results[0]!.message.zh).toContain('超时');
    expect(hung.slice(1).every((r) => r.run.outcome === 'busy' && r.results[0]?.reason === 'busy')).toBe(true);
    expect(hungStarts).toBe(1);
    expect((hungSignal as AbortSignal | null)?.aborted).toBe(true);
  });

  it('never runs one check twice at once, and runs it again once the abandoned run settles', async () => {
    let active = 0;
    let maxActive = 0;
    let starts = 0;
    const { s, reports } = scheduler([
      check(
        'slow',
        {
          async run() {
            starts += 1;
            active += 1;
            maxActive = Math.max(maxActive, active);
            // the first run ignores its abort signal and outlives the timeout; later runs are quick
            await sleep(starts === 1 ? 600 : 10);
            active -= 1;
            return [okResult('slow', { starts })];
          },
        },
        { intervalSeconds: 0.1, timeoutSeconds: 0.2 },
      ),
    ]);
    void s.start();
    for (let i = 0; i < 10; i++) {
      await sleep(50);
      void s.runNow(['slow']);
    }
    await waitFor(() => reports.at(-1)?.run.outcome === 'ok', 5000);
    const outcomes = reports.map((r) => r.run.outcome);
    expect(maxActive).toBe(1);
    expect(outcomes[0]).toBe('timeout');
    expect(outcomes).toContain('busy');
    expect(outcomes.lastIndexOf('busy')).toBeLessThan(outcomes.lastIndexOf('ok'));
    expect(outcomes.indexOf('ok')).toBeGreaterThan(outcomes.indexOf('busy'));
  });

  it('runNow joins a run in progress instead of starting another', async () => {
    let starts = 0;
    const { s, reports } = scheduler([
      check('slow', {
        async run() {
          starts += 1;
          await sleep(300);
          return [okResult('slow', { starts })];
        },
      }),
      check('other', healthyProbe({ runs: 0 })),
    ]);
    const sweep = s.start();
    const [a, b] = await Promise.all([s.runNow(['slow']), s.runNow()]);
    await sweep;
    expect(starts).toBe(1);
    expect(a.get('slow')).toBe(b.get('slow'));
    expect([...b.keys()].sort()).toEqual(['other', 'slow']);
    expect(reports.filter((r) => r.id === 'slow')).toHaveLength(1);

    const later = await s.runNow(['slow']);
    expect(starts).toBe(2);
    expect(later.get('slow')?.[0]?.evidence).toEqual({ starts: 2 });
    expect(reports.at(-1)?.run.trigger).toBe('manual');
  });

  it('runNow rejects unknown ids clearly and runs nothing', async () => {
    const counter = { runs: 0 };
    const { s } = scheduler([check('known', healthyProbe(counter))]);
    await expect(s.runNow(['known', 'nope'])).rejects.toThrow(/unknown check id\(s\): nope .*known/);
    expect(counter.runs).toBe(0);
  });

  it('reports a probe that throws as probe_error with a truncated message, and keeps going', async () => {
    let runs = 0;
    const { s } = scheduler([
      check('thrower', {
        async run() {
          runs += 1;
          throw new Error(`bad thing ${'x'.repeat(2000)}`);
        },
      }),
    ]);
    const first = await s.runNow();
    const result = first.get('thrower')?.[0];
    expect(result).toMatchObject({ status: 'fail', reason: 'probe_error', subject: 'thrower' });
    expect(String(result?.evidence.error)).toMatch(/^Error: bad thing x+/);
    expect(String(result?.evidence.error).length).toBeLessThan(600);
    await s.runNow();
    expect(runs).toBe(2);
  });

  it('creates each probe once and closes it on stop', async () => {
    let created = 0;
    let closed = 0;
    const plugin = fixturePlugin('once', 'inline:test', () => {
      created += 1;
      return {
        run: async () => [okResult('once', {})],
        close: () => {
          closed += 1;
        },
      };
    });
    const { s } = scheduler([{ id: 'once', plugin, config: {}, intervalSeconds: 60, timeoutSeconds: 5, isolated: false }]);
    await s.start();
    await s.runNow();
    await s.runNow();
    expect(created).toBe(1);
    await s.stop();
    expect(closed).toBe(1);
  });

  it('stop() waits for running checks within the grace period, then abandons hung ones', async () => {
    let hungSignal: AbortSignal | null = null;
    const { s, reports } = scheduler([
      check('finishing', { run: async () => { await sleep(100); return [okResult('finishing', {})]; } }),
      check('hung', { run: (signal) => { hungSignal = signal; return never(); } }, { timeoutSeconds: 60 }),
    ]);
    void s.start();
    const manual = s.runNow(['hung']);
    await sleep(20);
    const started = Date.now();
    await s.stop(400);
    const took = Date.now() - started;
    expect(took).toBeLessThan(2000);
    expect(reports.map((r) => r.id)).toEqual(['finishing']);
    expect((hungSignal as AbortSignal | null)?.aborted).toBe(true);
    await expect(manual).rejects.toThrow(/abandoned/);
    await expect(s.runNow()).rejects.toThrow(/stopped/);
    await sleep(300);
    expect(reports).toHaveLength(1);
  });

  it('survives an onResults handler that throws', async () => {
    const counter = { runs: 0 };
    const errors: string[] = [];
    const s = new Scheduler({
      checks: [check('c', healthyProbe(counter))],
      onResults: () => {
        throw new Error('store down');
      },
      contextFor: (id) => testContext(id),
      logger: { debug: () => {}, warn: () => {}, error: (_o, msg) => errors.push(msg) },
    });
    schedulers.push(s);
    await s.runNow();
    await s.runNow();
    expect(counter.runs).toBe(2);
    expect(errors).toHaveLength(2);
  });

  it('rejects duplicate ids and non-positive intervals', () => {
    const probe = healthyProbe({ runs: 0 });
    expect(() => scheduler([check('x', probe), check('x', probe)])).toThrow(/duplicate/);
    expect(() => scheduler([check('x', probe, { intervalSeconds: 0 })])).toThrow(/intervalSeconds/);
  });
});
