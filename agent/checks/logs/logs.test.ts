import { statSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, rename, rm, truncate, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProbeResult } from '../../core/checks/result.js';
import { checkConfigWithDefaults } from '../../core/config/check-config.js';
import { memoryState, neverAborted, testContext } from '../shared/testing.js';
import { plugin } from './index.js';
import type { LogsState } from './probe.js';
import type { LogsConfig } from './schema.js';

const config = (partial: Record<string, unknown>): LogsConfig => checkConfigWithDefaults(plugin, partial);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'gp-logs-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A check instance whose persistent state survives between runs, as in the agent. */
function watcher(partial: Record<string, unknown>) {
  const cfg = config(partial);
  const state = memoryState();
  const scan = async (): Promise<ProbeResult[]> => plugin.createProbe(cfg, testContext({ state })).run(neverAborted);
  return { cfg, state, scan, one: async () => (await scan())[0]! };
}

const lines = (...l: string[]) => l.map((x) => `${x}\n`).join('');

describe('logs probe: reading new lines', () => {
  it('starts a file it first sees at its end, then counts new matching lines', async () => {
    const log = path.join(dir, 'app.log');
    await writeFile(log, lines('2025-03-10 ERROR old problem', 'INFO fine'));
    const w = watcher({ paths: [log] });
    const first = await w.one();
    expect(first).toMatchObject({ status: 'ok', reason: 'ok', subject: log, evidence: { matches: 0, bytesRead: 0, files: 1 } });

    await appendFile(log, lines('INFO settle ok', '2025-03-10 09:01 ERROR 1101 人员信息查询失败', 'ERROR again'));
    const second = await w.one();
    expect(second).toMatchObject({
      status: 'fail',
      reason: 'errors_found',
      evidence: { matches: 2, lines: 3, sample: '2025-03-10 09:01 ERROR 1101 人员信息查询失败', sampleFile: 'app.log' },
    });
    expect(plugin.rules(second, w.cfg)).toEqual({ code: 'LOG_ERRORS', severity: 'minor' });
    expect((await w.one())).toMatchObject({ status: 'ok', evidence: { matches: 0, lines: 0 } });
  });

  it('reads existing content on the first scan with fromStart', async () => {
    const log = path.join(dir, 'app.log');
    await writeFile(log, lines('ERROR a', 'FATAL b', 'ok c'));
    expect((await watcher({ paths: [log], fromStart: true }).one()).evidence).toMatchObject({ matches: 2, lines: 3 });
  });

  it('matches a line written across two scans as one whole line', async () => {
    const log = path.join(dir, 'app.log');
    await writeFile(log, '');
    const w = watcher({ paths: [log], patterns: ['ERROR'] });
    await w.one();
    await appendFile(log, 'ER');
    expect((await w.one()).evidence).toMatchObject({ matches: 0, lines: 0, bytesRead: 0 });
    await appendFile(log, 'ROR split line\nnext');
    expect((await w.one()).evidence).toMatchObject({ matches: 1, lines: 1, sample: 'ERROR split line' });
    await appendFile(log, '\n');
    expect((await w.one()).evidence).toMatchObject({ matches: 0, lines: 1 });
  });

  it('decodes GBK logs written by Windows settlement clients', async () => {
    const log = path.join(dir, 'yb.log');
    await writeFile(log, '');
    // "结算失败" and "错误" in GBK: Node cannot encode GBK, so the bytes are spelled out.
    const gbkLine = Buffer.concat([Buffer.from('12:00 '), Buffer.from([0xbd, 0xe1, 0xcb, 0xe3, 0xca, 0xa7, 0xb0, 0xdc]), Buffer.from(' code=-1\r\n')]);
    const gbk = watcher({ paths: [log], encoding: 'gbk', patterns: ['失败'] });
    const utf8 = watcher({ paths: [log], encoding: 'utf8', patterns: ['失败'] });
    await gbk.one();
    await utf8.one();
    await appendFile(log, gbkLine);
    expect((await gbk.one()).evidence).toMatchObject({ matches: 1, sample: '12:00 结算失败 code=-1' });
    expect((await utf8.one()).evidence).toMatchObject({ matches: 0, lines: 1 });
  });

  it('keeps one sample line, cut to 200 characters', async () => {
    const log = path.join(dir, 'app.log');
    const w = watcher({ paths: [log], fromStart: true, patterns: ['ERROR'] });
    await writeFile(log, lines(`ERROR ${'x'.repeat(500)}`, 'ERROR second'));
    const r = await w.one();
    expect(String(r.evidence.sample)).toHaveLength(200);
    expect(String(r.evidence.sample).startsWith('ERROR xxx')).toBe(true);
    expect(JSON.stringify(r)).not.toContain('ERROR second');
  });

  it('ignores case only when asked', async () => {
    const log = path.join(dir, 'app.log');
    await writeFile(log, lines('error lower', 'Error mixed'));
    expect((await watcher({ paths: [log], fromStart: true, patterns: ['ERROR'] }).one()).evidence.matches).toBe(0);
    expect((await watcher({ paths: [log], fromStart: true, patterns: ['ERROR'], ignoreCase: true }).one()).evidence.matches).toBe(2);
  });
});

describe('logs probe: rotation and truncation', () => {
  it('finishes the rotated file, then reads the new file from its start', async () => {
    const log = path.join(dir, 'app.log');
    await writeFile(log, lines('INFO start'));
    const w = watcher({ paths: [log], patterns: ['ERROR'] });
    await w.one();
    await appendFile(log, lines('ERROR before rotation (unread)'));
    await rename(log, `${log}.1`);
    await writeFile(log, lines('ERROR in new file', 'INFO x'));
    const r = await w.one();
    expect(r.evidence).toMatchObject({ matches: 2, lines: 3, rotations: 1, lostRotations: 0, sample: 'ERROR before rotation (unread)', sampleFile: 'app.log.1' });
    // The rotated file is no longer followed; the new one continues where it was read to.
    expect(Object.values(w.state.get<LogsState>()!.paths[log]!.files)).toMatchObject([{ path: log, offset: statSync(log).size }]);
    await appendFile(`${log}.1`, lines('ERROR late write to rotated file'));
    await appendFile(log, lines('INFO y'));
    expect((await w.one()).evidence).toMatchObject({ matches: 0, lines: 1 });
  });

  it('counts a rotated file deleted before it was finished as lost and reads the new file from 0', async () => {
    const log = path.join(dir, 'app.log');
    await writeFile(log, lines('INFO start'));
    const w = watcher({ paths: [log], patterns: ['ERROR'] });
    await w.one();
    await appendFile(log, lines('ERROR gone with the rotated file'));
    await rename(log, `${log}.1`);
    await writeFile(log, lines('ERROR new'));
    await unlink(`${log}.1`); // rotated and compressed: the old file is gone
    expect((await w.one()).evidence).toMatchObject({ matches: 1, rotations: 0, lostRotations: 1, sample: 'ERROR new' });
  });

  it('reads a new file from its start even when it got the deleted file\'s inode number', async () => {
    const log = path.join(dir, 'app.log');
    await writeFile(log, lines('INFO start'));
    const w = watcher({ paths: [log], patterns: ['ERROR'] });
    await w.one();
    await unlink(log); // the file system may hand the same inode to the next file
    await writeFile(log, lines('ERROR first line of the new file', 'ERROR second'));
    expect((await w.one()).evidence).toMatchObject({ matches: 2, sample: 'ERROR first line of the new file' });
  });

  it('reads a truncated file (copytruncate) from 0', async () => {
    const log = path.join(dir, 'app.log');
    await writeFile(log, lines('INFO a long line of text to make the file bigger', 'INFO more text'));
    const w = watcher({ paths: [log], patterns: ['ERROR'] });
    await w.one();
    await truncate(log, 0);
    await appendFile(log, lines('ERROR after truncation'));
    expect((await w.one()).evidence).toMatchObject({ matches: 1, truncations: 1, sample: 'ERROR after truncation' });
  });

  it('follows files under a glob, reading files that appear later from 0 and not counting a rename twice', async () => {
    await writeFile(path.join(dir, 'a.log'), lines('ERROR old a'));
    const w = watcher({ paths: [path.join(dir, '*.log*')], patterns: ['ERROR'] });
    expect((await w.one()).evidence).toMatchObject({ files: 1, matches: 0 });
    await writeFile(path.join(dir, 'b.log'), lines('ERROR new b'));
    expect((await w.one()).evidence).toMatchObject({ files: 2, matches: 1, sample: 'ERROR new b' });
    await appendFile(path.join(dir, 'a.log'), lines('ERROR appended to a'));
    await rename(path.join(dir, 'a.log'), path.join(dir, 'a.log.1')); // still matched by the glob: same file, same offset
    expect((await w.one()).evidence).toMatchObject({ files: 2, matches: 1, sample: 'ERROR appended to a', sampleFile: 'a.log.1' });
  });
});

describe('logs probe: bounded work', () => {
  it('reads at most maxBytesPerScan per scan and catches up later without losing or repeating lines', async () => {
    const log = path.join(dir, 'big.log');
    await writeFile(log, '');
    const w = watcher({ paths: [log], patterns: ['ERROR'], maxBytesPerScan: 4096 });
    await w.one();
    const body = Array.from({ length: 300 }, (_, i) => `ERROR line ${String(i).padStart(4, '0')} ${'.'.repeat(20)}`);
    await appendFile(log, lines(...body)); // ~11 KB
    let matches = 0;
    let scans = 0;
    for (;;) {
      const r = await w.one();
      scans++;
      expect(Number(r.evidence.bytesRead)).toBeLessThanOrEqual(4096);
      matches += Number(r.evidence.matches);
      if (r.evidence.backlogBytes === 0) break;
      expect(scans).toBeLessThan(10);
    }
    expect(scans).toBeGreaterThanOrEqual(3);
    expect(matches).toBe(300);
  });

  it('moves past a single line longer than the budget', async () => {
    const log = path.join(dir, 'oneline.log');
    await writeFile(log, '');
    const w = watcher({ paths: [log], patterns: ['ERROR'], maxBytesPerScan: 4096 });
    await w.one();
    await appendFile(log, `ERROR ${'z'.repeat(10_000)}\nERROR tail\n`);
    const first = await w.one();
    expect(first.evidence).toMatchObject({ matches: 1, bytesRead: 4096 });
    let total = Number(first.evidence.matches);
    for (let i = 0; i < 5; i++) total += Number((await w.one()).evidence.matches);
    expect(total).toBeGreaterThanOrEqual(2);
    expect(total).toBeLessThanOrEqual(4); // the long line may be counted in pieces, never stuck
  });

  it('never splits an ordinary line when only the remainder of the budget is left for it', async () => {
    const a = path.join(dir, 'a.log');
    const b = path.join(dir, 'b.log');
    await writeFile(a, '');
    await writeFile(b, '');
    const w = watcher({ paths: [a, b], patterns: ['^ERROR .*end$'], maxBytesPerScan: 4096 });
    await w.scan();
    await appendFile(a, lines(...Array.from({ length: 4086 / 9 }, () => 'INFO abc'))); // leaves a few bytes of budget for b
    await appendFile(b, lines(`ERROR ${'y'.repeat(100)} end`));
    let matched = 0;
    for (let i = 0; i < 4; i++) matched += Number((await w.scan())[1]!.evidence.matches);
    expect(matched).toBe(1);
  });

  it('finishes a rotated file across scans when the budget runs out inside it', async () => {
    const log = path.join(dir, 'app.log');
    await writeFile(log, '');
    const w = watcher({ paths: [log], patterns: ['ERROR'], maxBytesPerScan: 4096 });
    await w.one();
    await appendFile(log, lines(...Array.from({ length: 200 }, (_, i) => `ERROR r${i} ${'-'.repeat(30)}`))); // ~8 KB
    await rename(log, `${log}.1`);
    await writeFile(log, lines('ERROR fresh'));
    let matches = 0;
    for (let i = 0; i < 6; i++) matches += Number((await w.one()).evidence.matches);
    expect(matches).toBe(201);
  });
});

describe('logs probe: missing, unreadable, state', () => {
  it('reports a log that does not exist yet as ok with no files', async () => {
    const r = await watcher({ paths: [path.join(dir, 'not-yet.log'), path.join(dir, 'none', '*.log')] }).scan();
    expect(r.map((x) => [x.status, x.evidence.files])).toEqual([
      ['ok', 0],
      ['ok', 0],
    ]);
  });

  it('reports a path it cannot read as file_unreadable (minor LOG_UNREADABLE)', async () => {
    const file = path.join(dir, 'plain');
    await writeFile(file, 'x');
    const w = watcher({ paths: [path.join(file, '*.log')] }); // a glob under a file: ENOTDIR
    const r = await w.one();
    expect(r).toMatchObject({ status: 'fail', reason: 'file_unreadable', evidence: { error: 'ENOTDIR' } });
    expect(plugin.rules(r, w.cfg)).toEqual({ code: 'LOG_UNREADABLE', severity: 'minor' });
    const [isDir] = await watcher({ paths: [dir] }).scan(); // a directory configured as a log file
    expect(isDir).toMatchObject({ status: 'fail', reason: 'file_unreadable', evidence: { error: 'EISDIR' } });
  });

  it('keeps its state as JSON and drops paths no longer configured', async () => {
    const a = path.join(dir, 'a.log');
    await writeFile(a, lines('x'));
    const state = memoryState({ version: 1, paths: { '/removed/path.log': { files: { '1:2': { path: '/removed/path.log', offset: 9 } } } } });
    await plugin.createProbe(config({ paths: [a] }), testContext({ state })).run(neverAborted);
    const saved = state.raw() as LogsState;
    expect(Object.keys(saved.paths)).toEqual([a]);
    const [rec] = Object.entries(saved.paths[a]!.files);
    expect(rec![0]).toMatch(/^\d+:\d+$/);
    expect(rec![1]).toEqual({ path: a, offset: 2, headLen: 2, head: expect.stringMatching(/^[0-9a-f]{16}$/) });
  });

  it('does not save state when the run is aborted', async () => {
    const a = path.join(dir, 'a.log');
    await writeFile(a, lines('x'));
    const state = memoryState();
    const ac = new AbortController();
    ac.abort(new Error('timeout'));
    await expect(plugin.createProbe(config({ paths: [a] }), testContext({ state })).run(ac.signal)).rejects.toThrow('timeout');
    expect(state.raw()).toBeUndefined();
  });

  it('refuses a bad regular expression and count lines out of order', () => {
    expect(() => plugin.createProbe(config({ paths: ['/x'], patterns: ['ok', '(unclosed'] }), testContext())).toThrow(/patterns\[1\] \("\(unclosed"\)/);
    expect(() => plugin.createProbe(config({ paths: ['/x'], minorCount: 5, majorCount: 2 }), testContext())).toThrow(/minorCount/);
  });
});

describe('logs fault rules (pure)', () => {
  const result = (reason: string, matches: number): ProbeResult => ({
    status: 'fail', reason, subject: '/l', evidence: { matches }, message: { zh: '', en: '' }, time: new Date().toISOString(), durationMs: 0,
  });

  it('grades LOG_ERRORS minor from 1 and major from 20 matching lines per scan by default', () => {
    const cfg = config({ paths: ['/l'] });
    expect(plugin.rules(result('errors_found', 1), cfg)).toEqual({ code: 'LOG_ERRORS', severity: 'minor' });
    expect(plugin.rules(result('errors_found', 19), cfg)).toEqual({ code: 'LOG_ERRORS', severity: 'minor' });
    expect(plugin.rules(result('errors_found', 20), cfg)).toEqual({ code: 'LOG_ERRORS', severity: 'major' });
  });

  it('uses the configured count lines', () => {
    const cfg = config({ paths: ['/l'], minorCount: 5, majorCount: 50 });
    expect(plugin.rules(result('errors_found', 49), cfg)?.severity).toBe('minor');
    expect(plugin.rules(result('errors_found', 50), cfg)?.severity).toBe('major');
    expect(plugin.rules(result('timeout', 0), cfg)).toBeNull();
  });
});
