import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFiles, splitGlobPath } from './find-files.js';
import { formatBytes, round, truncate } from './format.js';
import { mountPointOf } from './mount-point.js';
import { ascending, descending, gradeAbove, gradeBelow } from './thresholds.js';

describe('mountPointOf on the real file system', () => {
  it('returns the root for the root', async () => {
    expect(await mountPointOf(path.resolve('/'))).toBe(path.resolve('/'));
  });

  it.runIf(process.platform === 'linux' && existsSync('/proc/1'))('stops where the device changes (/proc is its own mount)', async () => {
    expect(await mountPointOf('/proc/1')).toBe('/proc');
  });

  it('locates a missing path through its nearest existing parent', async () => {
    const tmp = path.resolve(os.tmpdir());
    expect(await mountPointOf(path.join(tmp, `gp-missing-${process.pid}`, 'deeper'))).toBe(await mountPointOf(tmp));
  });
});

describe('findFiles', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'gp-find-'));
    await mkdir(path.join(dir, 'a', 'b'), { recursive: true });
    await writeFile(path.join(dir, 'top.log'), 'x');
    await writeFile(path.join(dir, 'a', 'mid.log'), 'xx');
    await writeFile(path.join(dir, 'a', 'b', 'deep.log'), 'xxx');
    await mkdir(path.join(dir, 'dir.log')); // a directory that matches the pattern is not a file
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  const names = async (pattern: string, maxDepth: number, maxEntries = 1000) =>
    (await findFiles(dir, pattern, { maxDepth, maxEntries })).files.map((f) => f.relative).sort();

  it('matches files only, relative paths with forward slashes', async () => {
    expect(await names('*.log', 5)).toEqual(['top.log']);
    expect(await names('**/*.log', 5)).toEqual(['a/b/deep.log', 'a/mid.log', 'top.log']);
    expect(await names('a/*/*.log', 5)).toEqual(['a/b/deep.log']);
  });

  it('honours the depth limit for **', async () => {
    expect(await names('**/*.log', 1)).toEqual(['a/mid.log', 'top.log']);
    expect(await names('**/*.log', 0)).toEqual(['top.log']);
  });

  it('stops after maxEntries and says so', async () => {
    const r = await findFiles(dir, '**/*.log', { maxDepth: 5, maxEntries: 2 });
    expect(r.truncated).toBe(true);
    expect(r.files.length).toBeLessThan(3);
  });

  it('throws when the base directory cannot be read', async () => {
    await expect(findFiles(path.join(dir, 'nope'), '*', { maxDepth: 1, maxEntries: 10 })).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('splits a glob path into directory and pattern', () => {
    expect(splitGlobPath('/var/log/his/*.log')).toEqual({ base: '/var/log/his', pattern: '*.log' });
    expect(splitGlobPath('/var/log/**/err-*.txt')).toEqual({ base: '/var/log', pattern: '**/err-*.txt' });
    expect(splitGlobPath('/var/log/app.log')).toEqual({ base: '/var/log/app.log', pattern: null });
  });
});

describe('thresholds', () => {
  it('grades higher-is-worse and lower-is-worse measures at the line itself', () => {
    const t = { minor: 85, major: 90, critical: 97 };
    expect([84.9, 85, 90, 97].map((v) => gradeAbove(v, t))).toEqual([null, 'minor', 'major', 'critical']);
    const low = { minor: 10, major: 5 };
    expect([10, 9.9, 5, 4.9, 0].map((v) => gradeBelow(v, low))).toEqual([null, 'minor', 'minor', 'major', 'major']);
  });

  it('checks the order of lines', () => {
    expect(ascending({ minor: 1, major: 1, critical: 2 })).toBe(true);
    expect(ascending({ minor: 2, major: 1 })).toBe(false);
    expect(descending({ minor: 10, major: 5 })).toBe(true);
    expect(descending({ minor: 5, major: 10 })).toBe(false);
  });
});

describe('format', () => {
  it('rounds, formats sizes and truncates', () => {
    expect(round(12.345)).toBe(12.3);
    expect(round(12.345, 2)).toBe(12.35);
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(4.3 * 1024 ** 3)).toBe('4.3 GiB');
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
  });
});
