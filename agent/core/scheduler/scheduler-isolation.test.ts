import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProbeResult } from '../checks/result.js';
import { plugin as busyLoopPlugin } from '../isolation/test-fixtures/busy-loop.js';
import { plugin as crashPlugin } from '../isolation/test-fixtures/crash.js';
import { plugin as healthyPlugin } from '../isolation/test-fixtures/healthy.js';
import { plugin as slowStartPlugin } from '../isolation/test-fixtures/slow-start.js';
import { fixturePlugin, okResult } from '../isolation/test-fixtures/fixture-plugin.js';
import { MemoryState, processExists, sleep, testContext, waitFor } from '../isolation/test-fixtures/context.js';
import { Scheduler } from './scheduler.js';
import type { RunInfo, ScheduledCheck } from './types.js';

interface Report {
  id: string;
  results: ProbeResult[];
  run: RunInfo;
}

let dir: string;
const schedulers: Scheduler[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'guardpost-sched-'));
});

afterEach(async () => {
  await Promise.all(schedulers.splice(0).map((s) => s.stop(500)));
  rmSync(dir, { recursive: true, force: true });
});

function build(checks: ScheduledCheck[]): { s: Scheduler; reports: Report[]; states: Map<string, MemoryState> } {
  const reports: Report[] = [];
  const states = new Map<string, MemoryState>();
  const s = new Scheduler({
    checks,
    onResults: (id, results, run) => {
      reports.push({ id, results, run });
    },
    contextFor: (id) => {
      const state = new MemoryState();
      states.set(id, state);
      return testContext(id, state);
    },
  });
  schedulers.push(s);
  return { s, reports, states };
}

function readPid(file: string): number {
  try {
    return Number(readFileSync(file, 'utf8')) || 0;
  } catch {
    return 0;
  }
}

describe('Scheduler with isolated checks', () => {
  it('a busy-looping isolated check is killed at its timeout and never holds up the other checks', async () => {
    const pidFile = join(dir, 'busy.pid');
    let inProcessRuns = 0;
    const inProcess = fixturePlugin('in-process', 'inline:test', () => ({
      run: async () => {
        inProcessRuns += 1;
        return [okResult('in-process', {})];
      },
    }));
    const { s, reports, states } = build([
      { id: 'in-process', plugin: inProcess, config: {}, intervalSeconds: 0.2, timeoutSeconds: 1, isolated: false },
      { id: 'busy', plugin: busyLoopPlugin, config: { pidFile, ms: 10_000 }, intervalSeconds: 0.3, timeoutSeconds: 3, isolated: true },
      { id: 'iso-healthy', plugin: healthyPlugin, config: {}, intervalSeconds: 0.3, timeoutSeconds: 5, isolated: true },
    ]);
    const busyPids = new Set<number>();
    const busyTimeouts = (): number => reports.filter((r) => r.id === 'busy').length;
    void s.start();
    // Until two busy-looping children have been abandoned (generous bound: child start-up is slow on a loaded CI box).
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && (busyPids.size < 2 || busyTimeouts() < 2)) {
      const pid = readPid(pidFile);
      if (pid) busyPids.add(pid);
      await sleep(50);
    }

    expect(inProcessRuns).toBeGreaterThanOrEqual(8);
    const isoHealthy = reports.filter((r) => r.id === 'iso-healthy');
    expect(isoHealthy.filter((r) => r.run.outcome === 'ok').length).toBeGreaterThanOrEqual(4);
    expect(states.get('iso-healthy')?.value).toBe(isoHealthy.length);

    const busy = reports.filter((r) => r.id === 'busy');
    expect(busy.length).toBeGreaterThanOrEqual(2);
    expect(busy.every((r) => r.run.outcome === 'timeout' && r.results[0]?.reason === 'timeout')).toBe(true);
    // each abandoned child was SIGKILLed: only the one looping right now may still exist
    expect(busyPids.size).toBeGreaterThanOrEqual(2);
    const current = readPid(pidFile);
    for (const pid of busyPids) if (pid !== current) expect(processExists(pid)).toBe(false);

    const healthyPid = Number(isoHealthy.at(-1)?.results[0]?.evidence.pid);
    expect(processExists(healthyPid)).toBe(true);
    const started = Date.now();
    await s.stop(300);
    expect(Date.now() - started).toBeLessThan(3000);
    busyPids.add(readPid(pidFile));
    for (const pid of [...busyPids, healthyPid]) expect(processExists(pid)).toBe(false);
  });

  it("an isolated check's timeout counts from when its child is ready, not from a slow start", async () => {
    // The module takes 3 s to load; the check's timeout is 1 s (room for a first run on a loaded machine). The start
    // has its own bound.
    const { s, reports } = build([
      { id: 'slow', plugin: slowStartPlugin, config: {}, intervalSeconds: 60, timeoutSeconds: 1, isolated: true },
    ]);
    await s.start();
    expect(reports[0]?.run.outcome).toBe('ok');
    expect(reports[0]?.run.durationMs).toBeGreaterThan(1000);
    expect(reports[0]?.results[0]?.status).toBe('ok');
  });

  it('a crashing isolated check reports crashed, and the next run works in a fresh child', async () => {
    const onceFile = join(dir, 'once');
    const { s, reports } = build([
      { id: 'crashy', plugin: crashPlugin, config: { mode: 'segv', onceFile }, intervalSeconds: 60, timeoutSeconds: 10, isolated: true },
    ]);
    await s.start();
    expect(reports[0]?.run.outcome).toBe('crashed');
    expect(reports[0]?.results[0]).toMatchObject({ status: 'fail', reason: 'crashed', subject: 'crashy', evidence: { signal: 'SIGSEGV' } });
    const again = await s.runNow(['crashy']);
    expect(again.get('crashy')?.[0]?.status).toBe('ok');
    expect(again.get('crashy')?.[0]?.evidence.pid).not.toBe(readPid(onceFile));
  });

  it('stop() while an isolated run is in progress returns within the grace period and leaves no child', async () => {
    const pidFile = join(dir, 'busy.pid');
    const { s } = build([
      { id: 'busy', plugin: busyLoopPlugin, config: { pidFile, ms: 10_000 }, intervalSeconds: 60, timeoutSeconds: 30, isolated: true },
    ]);
    void s.start();
    expect(await waitFor(() => readPid(pidFile) > 0, 15_000)).toBe(true);
    const started = Date.now();
    await s.stop(500);
    expect(Date.now() - started).toBeLessThan(2500);
    expect(processExists(readPid(pidFile))).toBe(false);
  });
});
