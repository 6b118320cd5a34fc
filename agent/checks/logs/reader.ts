import { open } from 'node:fs/promises';
import { truncate } from '../shared/format.js';
import { throwIfAborted } from '../shared/result.js';
import type { LogEncoding } from './schema.js';

const CHUNK = 256 * 1024;
const NEWLINE = 0x0a;
/** At most one sample line leaves the agent, and only this much of it. */
export const SAMPLE_MAX_CHARS = 200;

export interface ReadRequest {
  file: string;
  from: number;
  /** Read up to this offset (exclusive): the file size, or less when the scan's byte budget is short. */
  to: number;
  encoding: LogEncoding;
  patterns: RegExp[];
  /** Count a trailing line without newline as complete: the file will not grow any more (it was rotated). */
  final: boolean;
  /** True when `to` is short of the file's end because the scan's byte budget ran out. */
  limited: boolean;
  /**
   * True when this read had the scan's whole budget: if not even one newline fits, the piece is counted as a line,
   * or the scan could never move past an enormous line. A read given only the budget's remainder just stops early.
   */
  wholeBudget: boolean;
  signal: AbortSignal;
}

export interface ReadOutcome {
  /** Where the next read starts: after the last complete line read. */
  endOffset: number;
  lines: number;
  matches: number;
  sample?: string;
}

/**
 * Reads the byte range line by line and counts lines matching any pattern. A line still being written
 * (no newline yet) is left for the next scan, so a line split across scans is matched whole.
 * Splitting at the 0x0A byte is safe for UTF-8 and GBK alike: neither uses 0x0A inside a multi-byte character.
 */
export async function readLines(req: ReadRequest): Promise<ReadOutcome> {
  const out: ReadOutcome = { endOffset: req.from, lines: 0, matches: 0 };
  if (req.to <= req.from) return out;
  const decoder = new TextDecoder(req.encoding === 'gbk' ? 'gbk' : 'utf-8');
  const handle = await open(req.file, 'r');
  try {
    let position = req.from;
    let pending: Buffer = Buffer.alloc(0);
    while (position < req.to) {
      throwIfAborted(req.signal);
      const want = Math.min(CHUNK, req.to - position);
      const buf = Buffer.allocUnsafe(want);
      const { bytesRead } = await handle.read(buf, 0, want, position);
      if (bytesRead === 0) break; // shrank under us: the next scan sees the truncation
      position += bytesRead;
      const data = pending.length ? Buffer.concat([pending, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
      const cut = data.lastIndexOf(NEWLINE);
      if (cut < 0) {
        pending = data;
        continue;
      }
      countLines(decoder.decode(data.subarray(0, cut)), req.patterns, out);
      out.endOffset = position - (data.length - cut - 1);
      pending = Buffer.from(data.subarray(cut + 1));
    }
    // A trailing piece without newline counts when the file is final, or when one line filled the whole budget.
    const stuck = req.limited && req.wholeBudget && out.endOffset === req.from && position >= req.to;
    const atEnd = !req.limited && position >= req.to;
    if (pending.length > 0 && ((req.final && atEnd) || stuck)) {
      countLines(decoder.decode(pending), req.patterns, out);
      out.endOffset = position;
    }
    return out;
  } finally {
    await handle.close();
  }
}

function countLines(text: string, patterns: RegExp[], out: ReadOutcome): void {
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    out.lines++;
    if (patterns.some((p) => p.test(line))) {
      out.matches++;
      out.sample ??= truncate(line.trim(), SAMPLE_MAX_CHARS);
    }
  }
}
