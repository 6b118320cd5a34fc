import os from 'node:os';
import { describe, expect, it } from 'vitest';
import type { ProbeResult } from '../../core/checks/result.js';
import { checkConfigWithDefaults } from '../../core/config/check-config.js';
import type { MemoryInfo } from '../../platform/types.js';
import { neverAborted, testContext } from '../shared/testing.js';
import { plugin } from './index.js';
import type { MemoryConfig } from './schema.js';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const config = (partial: Record<string, unknown> = {}): MemoryConfig => checkConfigWithDefaults(plugin, partial);
const bySubject = (results: ProbeResult[], subject: string) => results.find((r) => r.subject === subject);

function fakeHost(mem: MemoryInfo, load: [number, number, number] | null, cores = 4) {
  return testContext({ platformOverrides: { memoryInfo: async () => mem, loadAverage: () => load, cpuCount: () => cores } });
}

describe('memory probe on this host', () => {
  it('reports memory (and load where the OS has it) from the real platform', async () => {
    const results = await plugin.createProbe(config(), testContext()).run(neverAborted);
    const mem = bySubject(results, 'memory')!;
    expect(mem.evidence.totalBytes).toBe(os.totalmem());
    expect(Number(mem.evidence.availablePercent)).toBeGreaterThan(0);
    expect(Number(mem.evidence.availablePercent)).toBeLessThanOrEqual(100);
    const load = bySubject(results, 'load');
    if (process.platform === 'win32') expect(load).toBeUndefined();
    else expect(load!.evidence.cores).toBe(os.availableParallelism());
  });
});

describe('memory probe judgements', () => {
  it('is ok with plenty of memory, no swap and low load; swap is not judged without swap', async () => {
    const results = await plugin
      .createProbe(config(), fakeHost({ totalBytes: 8 * GiB, availableBytes: 4 * GiB, swapTotalBytes: 0, swapFreeBytes: 0 }, [0.5, 0.4, 0.3]))
      .run(neverAborted);
    expect(results.map((r) => [r.subject, r.status])).toEqual([
      ['memory', 'ok'],
      ['load', 'ok'],
    ]);
    expect(bySubject(results, 'memory')!.evidence).toEqual({ availablePercent: 50, availableBytes: 4 * GiB, totalBytes: 8 * GiB });
    expect(bySubject(results, 'memory')!.message.zh).toContain('可用内存 4.0 GiB');
  });

  it('fails memory_low below 10 % and grades major below 5 % or under 256 MiB', async () => {
    const run = async (availableBytes: number, totalBytes = 8 * GiB) => {
      const cfg = config();
      const [mem] = await plugin
        .createProbe(cfg, fakeHost({ totalBytes, availableBytes, swapTotalBytes: 0, swapFreeBytes: 0 }, null))
        .run(neverAborted);
      return { mem: mem!, signal: plugin.rules(mem!, cfg) };
    };
    const eightPercent = await run(0.08 * 8 * GiB);
    expect(eightPercent.mem).toMatchObject({ status: 'fail', reason: 'memory_low' });
    expect(eightPercent.signal).toEqual({ code: 'MEMORY_LOW', severity: 'minor' });
    expect((await run(0.04 * 8 * GiB)).signal).toEqual({ code: 'MEMORY_LOW', severity: 'major' });
    // 2 GiB till PC with 200 MiB free: 9.8 % is only "minor" by percentage, but under the 256 MiB floor it is major.
    expect((await run(200 * MiB, 2 * GiB)).signal).toEqual({ code: 'MEMORY_LOW', severity: 'major' });
    expect((await run(0.5 * 8 * GiB)).mem.status).toBe('ok');
  });

  it('fails swap_high at 50 % (minor) and 80 % (major)', async () => {
    const cfg = config();
    const swap = async (usedFraction: number) => {
      const results = await plugin
        .createProbe(cfg, fakeHost({ totalBytes: 8 * GiB, availableBytes: 4 * GiB, swapTotalBytes: 2 * GiB, swapFreeBytes: (1 - usedFraction) * 2 * GiB }, null))
        .run(neverAborted);
      return bySubject(results, 'swap')!;
    };
    expect((await swap(0.3)).status).toBe('ok');
    const half = await swap(0.6);
    expect(half).toMatchObject({ status: 'fail', reason: 'swap_high', evidence: { swapUsedPercent: 60 } });
    expect(plugin.rules(half, cfg)).toEqual({ code: 'SWAP_HIGH', severity: 'minor' });
    expect(plugin.rules(await swap(0.9), cfg)).toEqual({ code: 'SWAP_HIGH', severity: 'major' });
  });

  it('judges the configured load window per core', async () => {
    const mem = { totalBytes: 8 * GiB, availableBytes: 4 * GiB, swapTotalBytes: 0, swapFreeBytes: 0 };
    const cfg5 = config();
    const r5 = bySubject(await plugin.createProbe(cfg5, fakeHost(mem, [20, 10, 1], 4)).run(neverAborted), 'load')!;
    expect(r5).toMatchObject({ status: 'fail', reason: 'load_high', evidence: { load1PerCore: 5, load5PerCore: 2.5, load15PerCore: 0.25 } });
    expect(plugin.rules(r5, cfg5)).toEqual({ code: 'LOAD_HIGH', severity: 'minor' });
    const cfg1 = config({ loadWindowMinutes: 1 });
    const r1 = bySubject(await plugin.createProbe(cfg1, fakeHost(mem, [20, 10, 1], 4)).run(neverAborted), 'load')!;
    expect(plugin.rules(r1, cfg1)).toEqual({ code: 'LOAD_HIGH', severity: 'major' });
    const cfg15 = config({ loadWindowMinutes: 15 });
    const r15 = bySubject(await plugin.createProbe(cfg15, fakeHost(mem, [20, 10, 1], 4)).run(neverAborted), 'load')!;
    expect(r15.status).toBe('ok');
  });

  it('skips load on platforms without load averages', async () => {
    const results = await plugin
      .createProbe(config(), fakeHost({ totalBytes: GiB, availableBytes: GiB / 2, swapTotalBytes: 0, swapFreeBytes: 0 }, null))
      .run(neverAborted);
    expect(bySubject(results, 'load')).toBeUndefined();
  });

  it('refuses lines out of order', () => {
    expect(() => plugin.createProbe(config({ availableMinorPercent: 5, availableMajorPercent: 10 }), testContext())).toThrow(/availableMajorPercent/);
    expect(() => plugin.createProbe(config({ swapMinorPercent: 90, swapMajorPercent: 80 }), testContext())).toThrow(/swapMinorPercent/);
    expect(() => plugin.createProbe(config({ loadMinorPerCore: 5, loadMajorPerCore: 4 }), testContext())).toThrow(/loadMinorPerCore/);
  });
});

describe('memory fault rules (pure)', () => {
  const result = (reason: string, evidence: ProbeResult['evidence'], subject = 'memory'): ProbeResult => ({
    status: 'fail', reason, subject, evidence, message: { zh: '', en: '' }, time: new Date().toISOString(), durationMs: 0,
  });
  const cfg = config();

  it('grades MEMORY_LOW by percentage and by the MiB floor', () => {
    const g = (availablePercent: number, availableBytes: number) => plugin.rules(result('memory_low', { availablePercent, availableBytes }), cfg)?.severity;
    expect(g(9.9, 2 * GiB)).toBe('minor');
    expect(g(5, 2 * GiB)).toBe('minor');
    expect(g(4.9, 2 * GiB)).toBe('major');
    expect(g(9, 255 * MiB)).toBe('major');
    expect(plugin.rules(result('memory_low', { availablePercent: 9, availableBytes: 100 * MiB }), config({ availableMajorMiB: 0 }))?.severity).toBe('minor');
  });

  it('grades SWAP_HIGH and LOAD_HIGH with configured lines', () => {
    const c = config({ swapMinorPercent: 20, swapMajorPercent: 40, loadMinorPerCore: 1, loadMajorPerCore: 1.5 });
    expect(plugin.rules(result('swap_high', { swapUsedPercent: 30 }, 'swap'), c)).toEqual({ code: 'SWAP_HIGH', severity: 'minor' });
    expect(plugin.rules(result('swap_high', { swapUsedPercent: 40 }, 'swap'), c)).toEqual({ code: 'SWAP_HIGH', severity: 'major' });
    const load = (load5PerCore: number) => result('load_high', { load1PerCore: 0, load5PerCore, load15PerCore: 0, windowMinutes: 5 }, 'load');
    expect(plugin.rules(load(1.2), c)).toEqual({ code: 'LOAD_HIGH', severity: 'minor' });
    expect(plugin.rules(load(1.5), c)).toEqual({ code: 'LOAD_HIGH', severity: 'major' });
  });

  it('raises nothing for other reasons', () => {
    expect(plugin.rules(result('probe_error', {}), cfg)).toBeNull();
  });
});
