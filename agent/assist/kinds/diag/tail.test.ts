import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tailLines } from './tail.js';

const dir = mkdtempSync(join(tmpdir(), 'gp-tail-'));
const file = (name: string, content: string | Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};

describe('tailLines', () => {
  it('gives the last N lines, with or without a final newline, CRLF trimmed', async () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `line ${i}`);
    expect((await tailLines(file('a.log', `${lines.join('\n')}\n`), 3, 1 << 20)).lines).toEqual(['line 997', 'line 998', 'line 999']);
    expect((await tailLines(file('b.log', lines.join('\r\n')), 2, 1 << 20)).lines).toEqual(['line 998', 'line 999']);
    expect((await tailLines(file('c.log', 'only\n'), 10, 1 << 20)).lines).toEqual(['only']);
    expect((await tailLines(file('d.log', ''), 10, 1 << 20)).lines).toEqual([]);
  });

  it('reads only the end of a large file, never past the byte bound, and drops the line the bound cuts', async () => {
    const big = file('big.log', `${'x'.repeat(199)}\n`.repeat(50_000)); // 10 MB
    const t = await tailLines(big, 2000, 64 * 1024);
    expect(t.bytesRead).toBe(64 * 1024);
    expect(t.cut).toBe(true);
    expect(t.lines.length).toBe(Math.floor((64 * 1024) / 200));
    expect(t.lines.every((l) => l === 'x'.repeat(199))).toBe(true);
  });

  it('decodes GBK logs (Windows settlement clients) after splitting at newlines', async () => {
    const gbk = Buffer.from([0xbd, 0xe1, 0xcb, 0xe3, 0xca, 0xa7, 0xb0, 0xdc, 0x0a, 0xb3, 0xc9, 0xb9, 0xa6, 0x0a]); // 结算失败\n成功\n
    expect((await tailLines(file('g.log', gbk), 5, 1 << 20, 'gbk')).lines).toEqual(['结算失败', '成功']);
  });
});
