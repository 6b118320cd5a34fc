import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Secret } from '../config/secret.js';
import type { ExecOutcome } from '../checks/executor.js';
import { IsolatedProbeHost, type IsolatedProbeHostOptions } from './isolated-probe-host.js';
import { MemoryState, processExists, sleep, waitFor } from './test-fixtures/context.js';

const fixture = (name: string): string => new URL(`./test-fixtures/${name}.ts`, import.meta.url).href;

let dir: string;
const hosts: IsolatedProbeHost[] = [];

function host(name: string, config: unknown, extra: Partial<IsolatedProbeHostOptions> = {}): IsolatedProbeHost {
  const h = new IsolatedProbeHost({ checkId: name, moduleUrl: fixture(name), config, state: new MemoryState(), ...extra });
  hosts.push(h);
  return h;
}

function run(h: IsolatedProbeHost, signal = new AbortController().signal): Promise<ExecOutcome> {
  return h.execute(signal);
}

function evidenceOf(outcome: ExecOutcome): Record<string, unknown> {
  if (outcome.kind === 'ok') return outcome.results[0]?.evidence ?? {};
  return outcome.evidence;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'guardpost-iso-'));
});

afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.close(1000)));
  rmSync(dir, { recursive: true, force: true });
});

describe('IsolatedProbeHost', () => {
  it('lets a slow start finish across runs that time out, instead of killing it every time', async () => {
    const h = host('slow-start', {});
    // Runs with a 300 ms budget while the module takes 1.5 s (more under tsx) to load.
    const outcomes: ExecOutcome[] = [];
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const o = await run(h, AbortSignal.timeout(300));
      outcomes.push(o);
      if (o.kind === 'ok') break;
    }
    const last = outcomes.at(-1)!;
    expect(last.kind).toBe('ok');
    expect(outcomes.length).toBeGreaterThan(1); // the first runs gave up waiting…
    const pid = evidenceOf(last).pid;
    // …but the child they started is the one that answered, and it keeps answering.
    expect(evidenceOf(await run(h, AbortSignal.timeout(300))).pid).toBe(pid);
  });

  it('runs the probe in one long-lived child, transfers state and secrets both ways', async () => {
    const state = new MemoryState();
    state.value = 10;
    const h = host('healthy', { pin: new Secret('4711', 'test'), pinExpected: '4711' }, { state });
    const first = await run(h);
    const second = await run(h);
    expect(first.kind).toBe('ok');
    expect(second.kind).toBe('ok');
    const [e1, e2] = [evidenceOf(first), evidenceOf(second)];
    expect(e1.pid).not.toBe(process.pid);
    expect(e2.pid).toBe(e1.pid);
    expect(e2.runsInThisChild).toBe(2);
    expect(e2.stateRuns).toBe(12);
    expect(state.value).toBe(12);
    expect(e1.pinOk).toBe(true);
    expect(typeof e1.platform).toBe('string');
    expect(h.pid).toBe(e1.pid);
  });

  it('reports a probe that throws as probe_error and keeps the child', async () => {
    const h = host('throws', {});
    const outcome = await run(h);
    expect(outcome.kind).toBe('probe_error');
    expect(String(evidenceOf(outcome).error)).toContain('fixture probe failed');
    const pid = h.pid;
    expect(pid).toBeDefined();
    await run(h);
    expect(h.pid).toBe(pid);
  });

  it('SIGKILLs a busy-looping child when the run is aborted, and starts a fresh one next time', async () => {
    const pidFile = join(dir, 'pid');
    const h = host('busy-loop', { pidFile, ms: 10_000 });
    const controller = new AbortController();
    const running = run(h, controller.signal);
    expect(await waitFor(() => readPid(pidFile) > 0, 15_000)).toBe(true);
    const pid = readPid(pidFile);
    expect(processExists(pid)).toBe(true);
    controller.abort();
    await running;
    expect(await waitFor(() => !processExists(pid), 5000)).toBe(true);
    expect(h.pid).toBeUndefined();

    writeFileSync(pidFile, '');
    const again = new AbortController();
    const second = run(h, again.signal);
    expect(await waitFor(() => readPid(pidFile) > 0, 15_000)).toBe(true);
    expect(readPid(pidFile)).not.toBe(pid);
    again.abort();
    await second;
  });

  for (const [mode, expectExit] of [
    ['segv', { signal: 'SIGSEGV' }],
    ['exit', { exitCode: 7 }],
    ['uncaught', { exitCode: 1 }],
  ] as const) {
    it(`reports a child that dies during a run (${mode}) as crashed, then works again in a fresh child`, async () => {
      const h = host('crash', { mode, onceFile: join(dir, 'once') });
      const crashed = await run(h);
      expect(crashed.kind).toBe('crashed');
      const evidence = evidenceOf(crashed);
      expect(evidence).toMatchObject({ phase: 'run', ...expectExit });
      expect(String(evidence.stderr)).toContain(`fixture about to crash (${mode})`);
      if (mode === 'uncaught') expect(String(evidence.stderr)).toContain('fixture uncaught boom');
      expect(String(evidence.stderr).length).toBeLessThanOrEqual(2048);
      const crashedPid = Number(readFileSync(join(dir, 'once'), 'utf8'));
      const recovered = await run(h);
      expect(recovered.kind).toBe('ok');
      expect(evidenceOf(recovered).pid).not.toBe(crashedPid);
    });
  }

  it('does not spin on a child that keeps crashing at start: restarts with backoff', async () => {
    const spawnLog = join(dir, 'spawns');
    const h = host('crash-at-start', { spawnLog }, { restartBackoffMs: { initial: 400, max: 800 } });
    const first = await run(h);
    expect(first.kind).toBe('crashed');
    expect(evidenceOf(first)).toMatchObject({ phase: 'start', exitCode: 3 });
    const during = await run(h);
    expect(during.kind).toBe('crashed');
    expect(Number(evidenceOf(during).restartInSeconds)).toBeGreaterThan(0);
    expect(spawns(spawnLog)).toBe(1);
    await sleep(500);
    await run(h);
    expect(spawns(spawnLog)).toBe(2);
    // the second failure doubles the delay
    await sleep(500);
    const third = await run(h);
    expect(evidenceOf(third).restartInSeconds).toBeDefined();
    expect(spawns(spawnLog)).toBe(2);
  });

  it('reports a module without a plugin export as probe_error', async () => {
    const h = new IsolatedProbeHost({
      checkId: 'nothing',
      moduleUrl: new URL('./test-fixtures/context.ts', import.meta.url).href,
      config: {},
      state: new MemoryState(),
    });
    hosts.push(h);
    const outcome = await run(h);
    expect(outcome.kind).toBe('probe_error');
    expect(String(evidenceOf(outcome).error)).toContain('does not export a check plugin');
  });

  it('close() ends the child, even one stuck in a busy loop', async () => {
    const healthy = host('healthy', {});
    await run(healthy);
    const healthyPid = healthy.pid!;
    const pidFile = join(dir, 'pid');
    const stuck = host('busy-loop', { pidFile, ms: 10_000 });
    void run(stuck);
    expect(await waitFor(() => readPid(pidFile) > 0, 15_000)).toBe(true);
    const started = Date.now();
    await Promise.all([healthy.close(1000), stuck.close(1000)]);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(processExists(healthyPid)).toBe(false);
    expect(processExists(readPid(pidFile))).toBe(false);
  });
});

function readPid(file: string): number {
  try {
    return Number(readFileSync(file, 'utf8')) || 0;
  } catch {
    return 0;
  }
}

function spawns(file: string): number {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}
