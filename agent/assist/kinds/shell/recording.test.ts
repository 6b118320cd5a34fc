import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AsciicastRecorder } from './recording.js';

const header = { width: 80, height: 24, timestamp: 1777600000, env: { TERM: 'xterm-256color', SHELL: '/bin/sh' }, title: 't' };

describe('asciicast v2 recorder', () => {
  it('writes a character split across two outputs whole, resizes as "r" events, and hashes exactly the file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gp-cast-')), 'a.cast');
    const r = await AsciicastRecorder.open(file, header);
    const bytes = Buffer.from('ok 结算\n');
    await r.output(bytes.subarray(0, 4)); // "ok " and the first byte of 结
    await r.output(bytes.subarray(4, 6)); // its other two bytes
    await r.resize(100, 30);
    await r.output(bytes.subarray(6));
    const s = await r.close();
    const text = readFileSync(file);
    expect(s).toMatchObject({ file, bytes: text.length, sha256: createHash('sha256').update(text).digest('hex') });
    const lines = text.toString().trimEnd().split('\n').map((l) => JSON.parse(l) as unknown[]);
    expect(lines[0]).toEqual({ version: 2, ...header });
    expect(lines.slice(1).map((e) => [e[1], e[2]])).toEqual([
      ['o', 'ok '],
      ['o', '结'],
      ['r', '100x30'],
      ['o', '算\n'],
    ]);
  });

  it('never overwrites an existing recording', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gp-cast-')), 'a.cast');
    writeFileSync(file, 'earlier');
    await expect(AsciicastRecorder.open(file, header)).rejects.toMatchObject({ code: 'EEXIST' });
    expect(readFileSync(file, 'utf8')).toBe('earlier');
  });
});
