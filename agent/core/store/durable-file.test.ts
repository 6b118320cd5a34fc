import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DurableFileAdapter, UnreadableFileError } from './durable-file.js';
import { tempDir } from './test-support/transitions.js';

let dir: string;
let remove: () => Promise<void>;
beforeEach(async () => ({ dir, remove } = await tempDir()));
afterEach(() => remove());

describe('DurableFileAdapter', () => {
  it('really writes to disk under NODE_ENV=test (unlike JSONFilePreset), compact, through lowdb', async () => {
    expect(process.env.NODE_ENV).toBe('test');
    const adapter = new DurableFileAdapter<{ n: number; s: string }>(join(dir, 'a.json'));
    const db = new Low(adapter, { n: 0, s: '中文' });
    db.data.n = 1;
    await db.write();
    expect(await readFile(join(dir, 'a.json'), 'utf8')).toBe('{"n":1,"s":"中文"}');
    const again = new Low(new DurableFileAdapter<{ n: number; s: string }>(join(dir, 'a.json')), { n: 0, s: '' });
    await again.read();
    expect(again.data).toEqual({ n: 1, s: '中文' });
    expect(adapter.writes).toBe(1);
    expect(adapter.bytesWritten).toBe(Buffer.byteLength('{"n":1,"s":"中文"}'));
  });

  it('keeps the previous version as .bak and leaves no temp file', async () => {
    const adapter = new DurableFileAdapter<{ v: number }>(join(dir, 'a.json'));
    await adapter.write({ v: 1 });
    expect(await readdir(dir)).toEqual(['a.json']);
    await adapter.write({ v: 2 });
    expect((await readdir(dir)).sort()).toEqual(['a.json', 'a.json.bak']);
    expect(JSON.parse(await readFile(join(dir, 'a.json.bak'), 'utf8'))).toEqual({ v: 1 });
    expect(await adapter.read()).toEqual({ v: 2 });
  });

  it('can do without the .bak', async () => {
    const adapter = new DurableFileAdapter<{ v: number }>(join(dir, 'h.json'), { keepBackup: false });
    await adapter.write({ v: 1 });
    await adapter.write({ v: 2 });
    expect(await readdir(dir)).toEqual(['h.json']);
  });

  it('serializes concurrent writes, each with the data as it was when called', async () => {
    const adapter = new DurableFileAdapter<{ v: number }>(join(dir, 'a.json'));
    const data = { v: 0 };
    const writes = [1, 2, 3, 4, 5].map((v) => {
      data.v = v;
      return adapter.write(data);
    });
    data.v = 99; // too late: not in any write
    await Promise.all(writes);
    expect(await adapter.read()).toEqual({ v: 5 });
    expect(JSON.parse(await readFile(join(dir, 'a.json.bak'), 'utf8'))).toEqual({ v: 4 });
  });

  it('reads null when missing and throws UnreadableFileError naming the file when it is not JSON', async () => {
    const adapter = new DurableFileAdapter<unknown>(join(dir, 'a.json'));
    expect(await adapter.read()).toBeNull();
    await writeFile(join(dir, 'a.json'), '{"v":');
    const err = await adapter.read().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnreadableFileError);
    expect((err as UnreadableFileError).reason).toMatch(/a\.json is not valid JSON: .*position 5 \(the file looks truncated\)/);
  });

  it('rejects a write into a missing directory, and works again once it exists', async () => {
    const adapter = new DurableFileAdapter<{ v: number }>(join(dir, 'gone', 'a.json'));
    await expect(adapter.write({ v: 1 })).rejects.toMatchObject({ code: 'ENOENT' });
    expect(adapter.writes).toBe(0);
  });

  it('rejects data that cannot be serialized without breaking later writes', async () => {
    const adapter = new DurableFileAdapter<unknown>(join(dir, 'a.json'));
    await expect(adapter.write({ n: 1n })).rejects.toThrow(/BigInt/);
    await adapter.write({ ok: true });
    expect(await adapter.read()).toEqual({ ok: true });
  });
});
