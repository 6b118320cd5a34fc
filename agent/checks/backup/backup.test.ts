import { mkdir, mkdtemp, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProbeResult } from '../../core/checks/result.js';
import { checkConfigWithDefaults } from '../../core/config/check-config.js';
import { neverAborted, testContext } from '../shared/testing.js';
import { plugin } from './index.js';
import type { BackupConfig } from './schema.js';

const HOUR = 3_600_000;
const NOW = new Date('2025-03-10T08:00:00Z');
const config = (partial: Record<string, unknown>): BackupConfig => checkConfigWithDefaults(plugin, partial);
const ctx = () => testContext({ now: () => NOW });

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'gp-backup-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(rel: string, bytes: number, ageHours: number): Promise<void> {
  const p = path.join(dir, rel);
  await mkdir(path.dirname(p), { recursive: true });
  await writeFile(p, Buffer.alloc(bytes, 1));
  const t = new Date(NOW.getTime() - ageHours * HOUR);
  await utimes(p, t, t);
}

async function runOnce(partial: Record<string, unknown>): Promise<{ result: ProbeResult; cfg: BackupConfig }> {
  const cfg = config({ directory: dir, ...partial });
  const [result] = await plugin.createProbe(cfg, ctx()).run(neverAborted);
  return { result: result!, cfg };
}

describe('backup probe on real files', () => {
  it('is ok when the newest matching file is recent and not empty', async () => {
    await file('his-0308.bak', 2048, 48);
    await file('his-0310.bak', 4096, 2);
    await file('notes.txt', 10, 0.1); // newer but not a backup
    const { result } = await runOnce({ pattern: '*.bak' });
    expect(result).toMatchObject({
      status: 'ok',
      reason: 'ok',
      subject: path.join(dir, '*.bak'),
      evidence: { newestAgeHours: 2, newestSizeBytes: 4096, matches: 2, newestFile: 'his-0310.bak' },
    });
    expect(result.message.zh).toContain('his-0310.bak');
  });

  it('reports a stale backup as a major BACKUP_STALE', async () => {
    await file('his.bak', 4096, 30);
    const { result, cfg } = await runOnce({ pattern: '*.bak' });
    expect(result).toMatchObject({ status: 'fail', reason: 'stale', evidence: { newestAgeHours: 30 } });
    expect(plugin.rules(result, cfg)).toEqual({ code: 'BACKUP_STALE', severity: 'major' });
    const { result: relaxed } = await runOnce({ pattern: '*.bak', maxAgeHours: 48 });
    expect(relaxed.status).toBe('ok');
  });

  it('reports an empty newest backup as a major BACKUP_EMPTY even when older ones are fine', async () => {
    await file('his-old.bak', 4096, 20);
    await file('his-new.bak', 0, 1);
    const { result, cfg } = await runOnce({ pattern: '*.bak' });
    expect(result).toMatchObject({ status: 'fail', reason: 'empty', evidence: { newestSizeBytes: 0, newestFile: 'his-new.bak' } });
    expect(plugin.rules(result, cfg)).toEqual({ code: 'BACKUP_EMPTY', severity: 'major' });
    const { result: small } = await runOnce({ pattern: 'his-old.bak', minBytes: 10_000 });
    expect(small.reason).toBe('empty');
  });

  it('reports no match and a missing directory as a critical BACKUP_MISSING', async () => {
    await file('readme.txt', 10, 1);
    const none = await runOnce({ pattern: '*.bak' });
    expect(none.result).toMatchObject({ status: 'fail', reason: 'no_match', evidence: { matches: 0 } });
    expect(plugin.rules(none.result, none.cfg)).toEqual({ code: 'BACKUP_MISSING', severity: 'critical' });

    const missingDir = path.join(dir, 'not-there');
    const cfg = config({ directory: missingDir });
    const [missing] = await plugin.createProbe(cfg, ctx()).run(neverAborted);
    expect(missing).toMatchObject({ status: 'fail', reason: 'directory_missing', evidence: { error: 'ENOENT' } });
    expect(plugin.rules(missing!, cfg)).toEqual({ code: 'BACKUP_MISSING', severity: 'critical' });
  });

  it('descends with ** only as deep as maxDepth allows, and a plain pattern not at all', async () => {
    await file('2025/03/his.dmp', 100, 1);
    expect((await runOnce({ pattern: '**/*.dmp', maxDepth: 2 })).result.status).toBe('ok');
    expect((await runOnce({ pattern: '**/*.dmp', maxDepth: 1 })).result.reason).toBe('no_match');
    expect((await runOnce({ pattern: '*.dmp' })).result.reason).toBe('no_match');
    expect((await runOnce({ pattern: '2025/*/his.dmp' })).result.status).toBe('ok');
  });

  it('does not loop through a directory symlink pointing back up', async () => {
    await file('a/his.bak', 100, 1);
    await symlink(dir, path.join(dir, 'a', 'loop'), 'dir');
    const { result } = await runOnce({ pattern: '**/*.bak', maxDepth: 16 });
    expect(result).toMatchObject({ status: 'ok', evidence: { matches: 1 } });
  });

  it('labels the result with the directory and the mount point holding it', async () => {
    await file('his.bak', 100, 1);
    const { result } = await runOnce({});
    const mount = result.labels!.mount!;
    expect(result.labels!.directory).toBe(path.resolve(dir));
    expect(path.resolve(dir).startsWith(mount)).toBe(true);
    // The mount point is on the same device as the directory; its parent (if any) is not.
    expect((await stat(mount)).dev).toBe((await stat(dir)).dev);
    if (path.dirname(mount) !== mount) expect((await stat(path.dirname(mount))).dev).not.toBe((await stat(mount)).dev);
  });
});

describe('backup fault rules and inhibition', () => {
  const result = (reason: string): ProbeResult => ({
    status: 'fail', reason, subject: '/b/*', evidence: {}, message: { zh: '', en: '' }, time: NOW.toISOString(), durationMs: 0,
  });
  const cfg = config({ directory: '/b' });

  it('grades each reason', () => {
    expect(plugin.rules(result('directory_missing'), cfg)).toEqual({ code: 'BACKUP_MISSING', severity: 'critical' });
    expect(plugin.rules(result('no_match'), cfg)).toEqual({ code: 'BACKUP_MISSING', severity: 'critical' });
    expect(plugin.rules(result('stale'), cfg)).toEqual({ code: 'BACKUP_STALE', severity: 'major' });
    expect(plugin.rules(result('empty'), cfg)).toEqual({ code: 'BACKUP_EMPTY', severity: 'major' });
    expect(plugin.rules(result('timeout'), cfg)).toBeNull();
  });

  it('lets a full or missing disk mute every backup fault on the same mount', () => {
    expect(plugin.inhibitRules).toEqual([
      { source: ['DISK_SPACE_LOW', 'DISK_UNAVAILABLE'], target: ['BACKUP_MISSING', 'BACKUP_STALE', 'BACKUP_EMPTY'], equal: ['mount'] },
    ]);
  });
});
