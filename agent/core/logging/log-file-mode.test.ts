import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RotatingFileDestination } from './rotating-file.js';

const mode = (p: string) => statSync(p).mode & 0o777;
const dirs: string[] = [];
const saved = process.umask(0o022);
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
process.on('exit', () => process.umask(saved));

describe.skipIf(process.platform === 'win32')('the agent log is private', () => {
  it('creates its directory 0700 and the live and rotated files 0600 under umask 022', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gp-logmode-'));
    dirs.push(dir);
    const file = join(dir, 'logs', 'agent.log');
    const dest = new RotatingFileDestination({ file, maxBytes: 200, maxFiles: 2 });
    for (let i = 0; i < 10; i++) dest.write(`${JSON.stringify({ i, msg: 'x'.repeat(50) })}\n`);
    dest.flushSync();
    dest.end();
    expect(mode(join(dir, 'logs'))).toBe(0o700);
    expect(mode(file)).toBe(0o600);
    expect(mode(`${file}.1`)).toBe(0o600);
  });

  it('tightens log files an older version left readable by everyone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gp-logmode-'));
    dirs.push(dir);
    const file = join(dir, 'agent.log');
    writeFileSync(file, 'old\n');
    writeFileSync(`${file}.1`, 'older\n');
    chmodSync(file, 0o644);
    chmodSync(`${file}.1`, 0o664);
    const dest = new RotatingFileDestination({ file, maxBytes: 1_000_000, maxFiles: 2 });
    dest.end();
    expect(mode(file)).toBe(0o600);
    expect(mode(`${file}.1`)).toBe(0o600);
  });
});
