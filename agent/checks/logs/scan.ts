import path from 'node:path';
import { filesFor, findById, fingerprint, HEAD_BYTES, readHead, type SeenFile } from './files.js';
import { readLines } from './reader.js';
import type { LogEncoding } from './schema.js';

/**
 * Where reading of one file stopped. Kept in the check's persistent state, keyed by the file's dev:ino;
 * `head` (a hash of the first `headLen` bytes) recognises a new file that got a recycled inode number.
 */
export interface FileRecord {
  path: string;
  offset: number;
  headLen: number;
  head: string;
}

export interface PathState {
  files: Record<string, FileRecord>;
}

export interface ScanOptions {
  encoding: LogEncoding;
  patterns: RegExp[];
  fromStart: boolean;
  maxDepth: number;
  maxFiles: number;
  maxBytesPerScan: number;
  signal: AbortSignal;
}

/** Bytes this run may still read, shared by every file of the check. */
export interface Budget {
  remaining: number;
}

export interface ScanTotals {
  files: number;
  lines: number;
  matches: number;
  bytesRead: number;
  /** Bytes written but not read yet (budget ran out). */
  backlogBytes: number;
  rotations: number;
  /** Files found shorter than where we were, or rewritten from the start: read again from 0. */
  truncations: number;
  /** Rotated files that vanished before they were read to the end (deleted or compressed). */
  lostRotations: number;
  sample?: string;
  sampleFile?: string;
}

/** Is this the file the record was made for? Same id and the same first bytes. */
async function sameFile(file: SeenFile, rec: FileRecord): Promise<{ same: boolean; head: Buffer }> {
  const head = await readHead(file.path);
  return { same: head.length >= rec.headLen && fingerprint(head, rec.headLen) === rec.head, head };
}

const record = (file: SeenFile, offset: number, head: Buffer): FileRecord => {
  const headLen = Math.min(head.length, HEAD_BYTES);
  return { path: file.path, offset, headLen, head: fingerprint(head, headLen) };
};

/**
 * One scan of one configured path. Rotation: a file we followed whose id no longer appears is looked for
 * by id in its directory and read to its end; a new id is a new file and is read from 0. Truncation:
 * a file smaller than our offset, or with other first bytes, is read from 0. Only on the path's very first
 * scan do files start at their end (unless fromStart).
 */
export async function scanPath(entry: string, prev: PathState | undefined, opts: ScanOptions, budget: Budget) {
  const current = await filesFor(entry, opts.maxDepth, opts.maxFiles, opts.signal);
  const known = prev?.files ?? {};
  const currentIds = new Set(current.map((f) => f.id));
  const next: PathState = { files: {} };
  const totals: ScanTotals = { files: current.length, lines: 0, matches: 0, bytesRead: 0, backlogBytes: 0, rotations: 0, truncations: 0, lostRotations: 0 };

  const read = async (file: SeenFile, from: number, final: boolean): Promise<number> => {
    if (from >= file.size) return from;
    const to = Math.min(file.size, from + budget.remaining);
    const got = await readLines({
      file: file.path,
      from,
      to,
      encoding: opts.encoding,
      patterns: opts.patterns,
      final,
      limited: to < file.size,
      wholeBudget: to - from >= opts.maxBytesPerScan,
      signal: opts.signal,
    });
    budget.remaining -= to - from;
    totals.lines += got.lines;
    totals.matches += got.matches;
    totals.bytesRead += got.endOffset - from;
    if (got.sample !== undefined && totals.sample === undefined) {
      totals.sample = got.sample;
      totals.sampleFile = path.basename(file.path);
    }
    totals.backlogBytes += file.size - got.endOffset;
    return got.endOffset;
  };

  // Rotated away first: they hold the older lines.
  for (const [id, rec] of Object.entries(known)) {
    if (currentIds.has(id)) continue;
    const rotated = await findById(path.dirname(rec.path), id);
    const check = rotated ? await sameFile(rotated, rec) : null;
    if (!rotated || !check?.same) {
      if (rec.offset > 0) totals.lostRotations++;
      continue;
    }
    const end = await read(rotated, Math.min(rec.offset, rotated.size), true);
    if (end < rotated.size) next.files[id] = record(rotated, end, check.head); // budget ran out: finish next time
    else totals.rotations++;
  }

  for (const file of current) {
    const rec = known[file.id];
    const { same, head } = rec ? await sameFile(file, rec) : { same: false, head: await readHead(file.path) };
    let from: number;
    if (!rec) from = prev === undefined && !opts.fromStart ? file.size : 0;
    else if (!same || file.size < rec.offset) {
      totals.truncations++;
      from = 0;
    } else from = rec.offset;
    next.files[file.id] = record(file, await read(file, from, false), head);
  }
  return { state: next, totals };
}
