import { statfs } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ProbeResult } from '../../core/checks/result.js';
import { checkConfigWithDefaults } from '../../core/config/check-config.js';
import { neverAborted, testContext } from '../shared/testing.js';
import { plugin } from './index.js';
import { inodeSubject } from './probe.js';
import type { DiskConfig } from './schema.js';

const root = path.resolve('/');
const config = (partial: Record<string, unknown>): DiskConfig => checkConfigWithDefaults(plugin, partial);
const run = (cfg: DiskConfig, ctx = testContext()) => plugin.createProbe(cfg, ctx).run(neverAborted);

async function realUsage(p: string) {
  const st = await statfs(p);
  const used = st.blocks - st.bfree;
  return { space: (used / (used + st.bavail)) * 100, inodes: st.files > 0 ? ((st.files - st.ffree) / st.files) * 100 : null, st };
}

describe('disk probe on the real filesystem', () => {
  it('reports an ok result with df-like evidence when below every line', async () => {
    const [space] = await run(config({ mounts: [{ path: root, minorPercent: 100, majorPercent: 100, criticalPercent: 100 }] }));
    const real = await realUsage(root);
    expect(space).toMatchObject({ status: 'ok', reason: 'ok', subject: root });
    expect(space!.evidence.usedPercent).toBeCloseTo(real.space, 0);
    expect(space!.evidence.totalBytes).toBe(real.st.blocks * real.st.bsize);
    expect(space!.labels).toEqual({ mount: root, path: root });
    expect(space!.message.zh).toContain('已用');
    expect(space!.message.en).toContain('used');
    expect(Date.parse(space!.time)).not.toBeNaN();
  });

  it('fails with space_low when usage reaches a line, and grades by the line crossed', async () => {
    const real = await realUsage(root);
    expect(real.space).toBeGreaterThan(1); // a real root filesystem is never empty
    const cfg = config({ mounts: [{ path: root, minorPercent: 1, majorPercent: 100, criticalPercent: 100 }] });
    const [space] = await run(cfg);
    expect(space).toMatchObject({ status: 'fail', reason: 'space_low' });
    expect(space!.evidence.thresholdPercent).toBe(1);
    expect(plugin.rules(space!, cfg)).toEqual({ code: 'DISK_SPACE_LOW', severity: 'minor' });

    const cfg2 = config({ mounts: [{ path: root, minorPercent: 1, majorPercent: 1, criticalPercent: 1 }] });
    const [space2] = await run(cfg2);
    expect(plugin.rules(space2!, cfg2)).toEqual({ code: 'DISK_SPACE_LOW', severity: 'critical' });
  });

  it('reports inode usage separately when the filesystem has inodes', async () => {
    const real = await realUsage(root);
    const results = await run(config({ mounts: [{ path: root, inodeMinorPercent: 100, inodeMajorPercent: 100, inodeCriticalPercent: 100 }] }));
    const inode = results.find((r) => r.subject === inodeSubject(root));
    if (real.inodes === null) {
      expect(inode).toBeUndefined();
    } else {
      expect(inode).toMatchObject({ status: 'ok', labels: { mount: root, path: root } });
      expect(inode!.evidence.inodesUsedPercent).toBeCloseTo(real.inodes, 0);
      expect(inode!.evidence.inodesTotal).toBe(real.st.files);
    }
  });

  it('labels a directory with the mount point that holds it', async () => {
    const tmp = os.tmpdir();
    const [space] = await run(config({ mounts: [{ path: tmp }] }));
    expect(space!.subject).toBe(path.resolve(tmp));
    expect(space!.labels!.path).toBe(path.resolve(tmp));
    const mount = space!.labels!.mount!;
    expect(path.resolve(tmp).startsWith(mount)).toBe(true);
  });

  it('reports a missing mount as mount_unavailable, which is a major DISK_UNAVAILABLE', async () => {
    const missing = path.join(os.tmpdir(), `gp-no-such-mount-${process.pid}`);
    const cfg = config({ mounts: [{ path: missing }] });
    const results = await run(cfg);
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ status: 'fail', reason: 'mount_unavailable', subject: missing, evidence: { error: 'ENOENT' } });
    expect(plugin.rules(results[0]!, cfg)).toEqual({ code: 'DISK_UNAVAILABLE', severity: 'major' });
  });

  it("watches the platform's default mounts when none are configured", async () => {
    const tmp = path.resolve(os.tmpdir());
    const ctx = testContext({ platformOverrides: { defaultMounts: () => [tmp] } });
    const results = await run(config({}), ctx);
    expect(results[0]!.subject).toBe(tmp);
  });

  it('refuses thresholds out of order at probe creation, naming the mount index', () => {
    const cfg = config({ mounts: [{ path: '/' }, { path: '/data', minorPercent: 95, majorPercent: 90 }] });
    expect(() => plugin.createProbe(cfg, testContext())).toThrow(/mounts\[1\] \("\/data"\).*minorPercent ≤ majorPercent/);
    const inodes = config({ mounts: [{ path: '/', inodeMajorPercent: 99, inodeCriticalPercent: 98 }] });
    expect(() => plugin.createProbe(inodes, testContext())).toThrow(/mounts\[0\].*inodeMinorPercent/);
  });

  it('stops between mounts when the run is aborted', async () => {
    const ac = new AbortController();
    ac.abort(new Error('timeout'));
    await expect(plugin.createProbe(config({ mounts: [{ path: root }] }), testContext()).run(ac.signal)).rejects.toThrow('timeout');
  });
});

describe('disk fault rules (pure)', () => {
  const result = (reason: string, evidence: ProbeResult['evidence'], p = '/data'): ProbeResult => ({
    status: 'fail',
    reason,
    subject: reason === 'inodes_low' ? inodeSubject(p) : p,
    labels: { mount: p, path: p },
    evidence,
    message: { zh: '', en: '' },
    time: new Date().toISOString(),
    durationMs: 1,
  });

  it('grades space by the default lines 85 / 90 / 97', () => {
    const cfg = config({});
    const grade = (usedPercent: number) => plugin.rules(result('space_low', { usedPercent }), cfg)?.severity;
    expect(grade(85)).toBe('minor');
    expect(grade(89.9)).toBe('minor');
    expect(grade(90)).toBe('major');
    expect(grade(96.9)).toBe('major');
    expect(grade(97)).toBe('critical');
    expect(grade(100)).toBe('critical');
  });

  it("grades with the mount's own lines when configured", () => {
    const cfg = config({ mounts: [{ path: '/data', minorPercent: 50, majorPercent: 60, criticalPercent: 70 }] });
    const grade = (usedPercent: number, p = '/data') => plugin.rules(result('space_low', { usedPercent }, p), cfg)?.severity;
    expect(grade(55)).toBe('minor');
    expect(grade(65)).toBe('major');
    expect(grade(75)).toBe('critical');
    expect(grade(92, '/other')).toBe('major'); // unlisted path: defaults
  });

  it('grades inodes by their own lines', () => {
    const cfg = config({ mounts: [{ path: '/data', inodeMinorPercent: 70, inodeMajorPercent: 80, inodeCriticalPercent: 95 }] });
    const grade = (inodesUsedPercent: number) => plugin.rules(result('inodes_low', { inodesUsedPercent }), cfg);
    expect(grade(75)).toEqual({ code: 'DISK_INODES_LOW', severity: 'minor' });
    expect(grade(85)).toEqual({ code: 'DISK_INODES_LOW', severity: 'major' });
    expect(grade(96)).toEqual({ code: 'DISK_INODES_LOW', severity: 'critical' });
  });

  it('raises nothing for a reason it does not know', () => {
    expect(plugin.rules(result('timeout', {}), config({}))).toBeNull();
  });
});
