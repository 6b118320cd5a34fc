import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ustar } from './tar.js';

describe('ustar writer, read back by Debian tar', () => {
  it('lists and extracts files, directories and a path long enough to need the prefix field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gp-tar-'));
    const mtime = new Date('2026-05-01T10:30:00Z');
    const deep = `${'d'.repeat(60)}/${'e'.repeat(60)}/`;
    const long = `${deep}file-${'n'.repeat(80)}.txt`;
    const big = Buffer.alloc(70_000, 7);
    const archive = join(dir, 'a.tar');
    writeFileSync(
      archive,
      ustar([
        { name: 'top/', mtime },
        { name: 'top/hello.txt', body: Buffer.from('你好\n'), mtime },
        { name: 'top/empty', body: Buffer.alloc(0), mtime },
        { name: 'top/big.bin', body: big, mtime },
        { name: `${'d'.repeat(60)}/`, mtime },
        { name: deep, mtime },
        { name: long, body: Buffer.from('deep'), mtime },
      ]),
    );
    const listed = execFileSync('tar', ['-tvf', archive], { encoding: 'utf8' });
    expect(listed.trim().split('\n').map((l) => l.split(/\s+/).at(-1))).toEqual(['top/', 'top/hello.txt', 'top/empty', 'top/big.bin', `${'d'.repeat(60)}/`, deep, long]);
    expect(listed).toMatch(/guardpost\/guardpost\s+70000 2026-05-01/);
    execFileSync('tar', ['-xf', archive, '-C', dir]);
    expect(readFileSync(join(dir, 'top/hello.txt'), 'utf8')).toBe('你好\n');
    expect(readFileSync(join(dir, 'top/big.bin')).equals(big)).toBe(true);
    expect(readFileSync(join(dir, long), 'utf8')).toBe('deep');
  });

  it('refuses a path ustar cannot hold, naming it', () => {
    expect(() => ustar([{ name: `${'x'.repeat(300)}.txt`, mtime: new Date() }])).toThrow(/too long for ustar/);
  });
});
