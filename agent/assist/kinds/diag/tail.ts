import { open } from 'node:fs/promises';

const CHUNK = 64 * 1024;

export interface Tail {
  lines: string[];
  /** Bytes read from the end of the file. */
  bytesRead: number;
  /** The byte bound stopped the read before the file's start or the lines wanted. */
  cut: boolean;
}

/**
 * The last `lines` lines of a file, reading backwards from its end and never more than `maxBytes`: a log of
 * gigabytes costs the same as a small one. A line cut by the byte bound is dropped rather than shown half. Splitting
 * at 0x0A is safe for UTF-8 and GBK alike (neither uses it inside a character).
 */
export async function tailLines(file: string, lines: number, maxBytes: number, encoding: 'utf8' | 'gbk' = 'utf8'): Promise<Tail> {
  const fh = await open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    const chunks: Buffer[] = [];
    let pos = size;
    let newlines = 0;
    let read = 0;
    // One newline more than lines wanted marks where the first wanted line starts (a trailing newline ends the last).
    while (pos > 0 && read < maxBytes && newlines <= lines) {
      const n = Math.min(CHUNK, pos, maxBytes - read);
      pos -= n;
      const buf = Buffer.alloc(n);
      const { bytesRead } = await fh.read(buf, 0, n, pos);
      const got = buf.subarray(0, bytesRead);
      chunks.unshift(got);
      read += bytesRead;
      for (const b of got) if (b === 0x0a) newlines++;
      if (bytesRead < n) break; // shrank under us
    }
    let data = Buffer.concat(chunks);
    const cut = pos > 0 && newlines <= lines;
    if (pos > 0) {
      const nl = data.indexOf(0x0a); // the first line is partial: not shown
      data = nl < 0 ? Buffer.alloc(0) : data.subarray(nl + 1);
    }
    const text = new TextDecoder(encoding === 'gbk' ? 'gbk' : 'utf-8').decode(data);
    const all = text.split('\n');
    if (all.at(-1) === '') all.pop();
    return { lines: all.slice(-lines).map((l) => l.replace(/\r$/, '')), bytesRead: read, cut };
  } finally {
    await fh.close();
  }
}
