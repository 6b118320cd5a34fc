import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeResult } from '../../core/checks/result.js';
import { checkConfigWithDefaults } from '../../core/config/check-config.js';
import type { ProcessInfo } from '../../platform/types.js';
import { neverAborted, testContext } from '../shared/testing.js';
import { plugin } from './index.js';
import type { ProcessConfig } from './schema.js';

const config = (partial: Record<string, unknown>): ProcessConfig => checkConfigWithDefaults(plugin, partial);
const run = (cfg: ProcessConfig, ctx = testContext()) => plugin.createProbe(cfg, ctx).run(neverAborted);

async function started(child: ChildProcess): Promise<ChildProcess> {
  await new Promise((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

describe('process probe with real processes', () => {
  const marker = `gp-proc-test-${process.pid}-${Date.now()}`;

  it('finds a child by a command-line pattern while it runs, and reports it missing after kill', async () => {
    const cfg = config({ processes: [{ name: `node .*${marker}`, match: 'commandLine', title: '测试进程' }] });
    const child = await started(spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)', marker], { stdio: 'ignore' }));
    try {
      const [running] = await run(cfg);
      expect(running).toMatchObject({ status: 'ok', subject: `node .*${marker}`, evidence: { count: 1, pids: String(child.pid) } });
      expect(running!.message.zh).toContain('测试进程');
    } finally {
      await stop(child);
    }
    const [gone] = await run(cfg);
    expect(gone).toMatchObject({ status: 'fail', reason: 'process_missing', evidence: { count: 0 } });
    expect(plugin.rules(gone!, cfg)).toEqual({ code: 'PROCESS_MISSING', severity: 'major' });
  });

  it('never counts the agent itself', async () => {
    const self: ProcessInfo = { pid: process.pid, name: 'node', commandLine: `node guardpost ${marker}` };
    const other: ProcessInfo = { pid: process.pid + 1, name: 'node', commandLine: `node other ${marker}` };
    const ctx = testContext({ platformOverrides: { listProcesses: async () => [self, other] } });
    const [r] = await run(config({ processes: [{ name: marker, match: 'commandLine' }] }), ctx);
    expect(r!.evidence).toMatchObject({ count: 1, pids: String(process.pid + 1) });
  });

  describe.runIf(process.platform === 'linux')('by executable name', () => {
    let dir: string;
    let exe: string;
    const name = `gpsleep${process.pid % 100000}`; // under 15 characters: the whole name is in /proc/<pid>/comm
    beforeAll(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'gp-proc-'));
      exe = path.join(dir, name);
      await copyFile('/bin/sleep', exe);
    });
    afterAll(async () => rm(dir, { recursive: true, force: true }));

    it('counts instances against minCount and grades with the configured severity', async () => {
      const cfg = config({ processes: [{ name, minCount: 2, severity: 'critical' }] });
      const a = await started(spawn(exe, ['30'], { stdio: 'ignore' }));
      try {
        const [one] = await run(cfg);
        expect(one).toMatchObject({ status: 'fail', reason: 'too_few_instances', evidence: { count: 1, minCount: 2 } });
        expect(plugin.rules(one!, cfg)).toEqual({ code: 'PROCESS_MISSING', severity: 'critical' });
        const b = await started(spawn(exe, ['30'], { stdio: 'ignore' }));
        try {
          expect((await run(cfg))[0]).toMatchObject({ status: 'ok', evidence: { count: 2 } });
        } finally {
          await stop(b);
        }
      } finally {
        await stop(a);
      }
      expect((await run(cfg))[0]).toMatchObject({ status: 'fail', reason: 'process_missing' });
    });

    it('compares names exactly on Linux', async () => {
      const a = await started(spawn(exe, ['30'], { stdio: 'ignore' }));
      try {
        expect((await run(config({ processes: [{ name: name.toUpperCase() }] })))[0]!.reason).toBe('process_missing');
        expect((await run(config({ processes: [{ name }] })))[0]!.status).toBe('ok');
      } finally {
        await stop(a);
      }
    });
  });
});

describe('process probe on a Windows-like platform (fake process list)', () => {
  const list: ProcessInfo[] = [
    { pid: 4312, name: 'SettlementClient.EXE', commandLine: '' },
    { pid: 5120, name: 'HisClient.exe', commandLine: '' },
  ];
  const ctx = testContext({ platformOverrides: { name: 'windows', listProcesses: async () => list } });

  it('compares names case-insensitively and accepts a name without .exe', async () => {
    const results = await run(config({ processes: [{ name: 'settlementclient.exe' }, { name: 'HisClient' }, { name: 'Other.exe' }] }), ctx);
    expect(results.map((r) => r.status)).toEqual(['ok', 'ok', 'fail']);
  });

  it('reports command-line matching as unsupported when the platform gives no command lines', async () => {
    const cfg = config({ processes: [{ name: 'java .*gdca', match: 'commandLine' }] });
    const [r] = await run(cfg, ctx);
    expect(r).toMatchObject({ status: 'fail', reason: 'command_line_unavailable' });
    expect(plugin.rules(r!, cfg)).toEqual({ code: 'PROCESS_MATCH_UNSUPPORTED', severity: 'minor' });
  });
});

describe('process config and rules', () => {
  it('refuses a bad pattern and a repeated name, naming the entry', () => {
    expect(() => plugin.createProbe(config({ processes: [{ name: 'ok' }, { name: '(bad', match: 'commandLine' }] }), testContext())).toThrow(/processes\[1\]\.name/);
    expect(() => plugin.createProbe(config({ processes: [{ name: 'a' }, { name: 'a' }] }), testContext())).toThrow(/processes\[1\] repeats.*processes\[0\]/);
  });

  it('grades PROCESS_MISSING with each entry\'s severity, major by default', () => {
    const cfg = config({ processes: [{ name: 'a', severity: 'minor' }, { name: 'b' }] });
    const result = (subject: string, reason = 'process_missing'): ProbeResult => ({
      status: 'fail', reason, subject, evidence: {}, message: { zh: '', en: '' }, time: '', durationMs: 0,
    });
    expect(plugin.rules(result('a'), cfg)).toEqual({ code: 'PROCESS_MISSING', severity: 'minor' });
    expect(plugin.rules(result('b'), cfg)).toEqual({ code: 'PROCESS_MISSING', severity: 'major' });
    expect(plugin.rules(result('b', 'too_few_instances'), cfg)).toEqual({ code: 'PROCESS_MISSING', severity: 'major' });
    expect(plugin.rules(result('b', 'timeout'), cfg)).toBeNull();
  });
});
