import { open, readdir, readFile, rename, truncate, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDirectory } from '../durable-file.js';
import { errorCode, messageOf } from '../json-file.js';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../../private-files.js';
import { decodeRecordAt, type JournalRecord } from './record.js';

/**
 * The outbox's append-only journal: numbered segment files of checksummed records (record.ts) in one directory.
 * A commit appends its records to the newest segment and fsyncs it, so the bytes written per event are the event's
 * own, whatever the backlog. Segments whose every transition the desk acknowledged are deleted whole; when dead
 * records (acknowledged, coalesced, evicted) outweigh the live ones, the live set is rewritten into a fresh segment
 * and the old ones go. A write cut short by a crash or power loss leaves a torn tail: it is cut at open and the cut
 * bytes are kept beside the segment, never silently dropped.
 */

export interface JournalOptions {
  dir: string;
  /** A segment that reached this size is closed and the next append starts a new one. Default 1 MiB. */
  segmentBytes?: number;
  now: () => Date;
  /** Read only: report damage but change nothing on disk (inspection by another process). */
  readOnly?: boolean;
}

export interface JournalDamage {
  /** One sentence per damaged segment: file, offset, what was wrong, where the cut bytes went. */
  reasons: string[];
  /** The first file the cut bytes were moved to. */
  movedTo?: string;
}

interface Segment {
  name: string;
  /** Bytes known to be good: appends go here. */
  size: number;
  /** Highest transition seq it holds (0: none). */
  maxSeq: number;
}

const SEGMENT = /^(\d{10})\.seg$/;
export const DEFAULT_SEGMENT_BYTES = 1024 * 1024;

export class OutboxJournal {
  private segments: Segment[] = [];
  private readonly segmentBytes: number;
  /** Instrumentation: completed appends / rewrites and the bytes they wrote. */
  writes = 0;
  bytesWritten = 0;

  private constructor(private readonly opts: JournalOptions) {
    this.segmentBytes = opts.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
  }

  /** Reads every segment in order. Never throws for damage (it is cut and reported); an unreadable directory starts empty. */
  static async open(opts: JournalOptions): Promise<{ journal: OutboxJournal; records: JournalRecord[]; damage?: JournalDamage }> {
    const journal = new OutboxJournal(opts);
    const records: JournalRecord[] = [];
    const damage: JournalDamage = { reasons: [] };
    let names: string[] = [];
    try {
      names = (await readdir(opts.dir)).filter((n) => SEGMENT.test(n)).sort();
    } catch (err) {
      if (errorCode(err) !== 'ENOENT' && errorCode(err) !== 'ENOTDIR') damage.reasons.push(`${opts.dir} could not be listed (${messageOf(err)})`);
    }
    for (const name of names) {
      const path = join(opts.dir, name);
      let buf: Buffer;
      try {
        buf = await readFile(path);
      } catch (err) {
        damage.reasons.push(`${path} could not be read (${messageOf(err)}); left in place`);
        continue;
      }
      const segment: Segment = { name, size: 0, maxSeq: 0 };
      let offset = 0;
      while (offset < buf.length) {
        const step = decodeRecordAt(buf, offset);
        if (!step.ok) {
          const kept = opts.readOnly ? undefined : await journal.cutTail(path, buf, offset);
          damage.reasons.push(`${path}: ${step.problem === 'torn' ? 'torn record' : 'corrupt record'} at offset ${offset} (${step.why}); ${opts.readOnly ? 'would cut' : 'cut'} ${buf.length - offset} bytes${kept ? `, kept in ${kept}` : ''}`);
          if (kept) damage.movedTo ??= kept;
          break;
        }
        records.push(step.record);
        if (step.record.kind === 'transition') segment.maxSeq = Math.max(segment.maxSeq, step.record.transition.seq);
        offset = step.next;
      }
      segment.size = offset;
      journal.segments.push(segment);
    }
    return damage.reasons.length ? { journal, records, damage } : { journal, records };
  }

  /** Bytes in all segments: what the compaction rule weighs against the live outbox. */
  get totalBytes(): number {
    return this.segments.reduce((n, s) => n + s.size, 0);
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  /**
   * Appends encoded records to the newest segment (a new one when it is full or missing) and fsyncs. The bytes go at
   * the last known good size, so a failed earlier append leaves nothing behind them. Throws when the segment
   * vanished (its directory was removed): the caller then rewrites the whole live set with rewrite().
   */
  async append(frames: Buffer[], maxSeq: number): Promise<void> {
    if (!frames.length) return;
    const payload = frames.length === 1 ? frames[0]! : Buffer.concat(frames);
    let last = this.segments.at(-1);
    if (!last || last.size >= this.segmentBytes) last = await this.createSegment();
    const path = join(this.opts.dir, last.name);
    const handle = await open(path, 'r+'); // r+: a vanished file is an error, not a new empty one
    try {
      await handle.write(payload, 0, payload.length, last.size);
      await handle.datasync();
    } catch (err) {
      // A full disk may have taken part of it: give the space back, the retry rewrites the live set anyway.
      await handle.truncate(last.size).catch(() => undefined);
      throw err;
    } finally {
      await handle.close();
    }
    last.size += payload.length;
    last.maxSeq = Math.max(last.maxSeq, maxSeq);
    this.writes += 1;
    this.bytesWritten += payload.length;
  }

  /**
   * Writes `frames` (the whole live state) into a new segment and makes it durable. The older segments stay until
   * dropSuperseded(): the caller first makes its checkpoint durable, so a crash in between loses nothing.
   */
  async rewrite(frames: Buffer[], maxSeq: number): Promise<void> {
    await ensurePrivateDir(this.opts.dir);
    const payload = Buffer.concat(frames);
    const segment = await this.createSegment();
    const path = join(this.opts.dir, segment.name);
    try {
      const handle = await open(path, 'r+');
      try {
        await handle.write(payload, 0, payload.length, 0);
        await handle.datasync();
      } finally {
        await handle.close();
      }
    } catch (err) {
      // Half a rewrite must not be read back as the newest segment, nor keep the space a full disk needs.
      this.segments.pop();
      await unlink(path).catch(() => undefined);
      throw err;
    }
    segment.size = payload.length;
    segment.maxSeq = maxSeq;
    this.superseded = this.segments.length - 1;
    this.writes += 1;
    this.bytesWritten += payload.length;
  }

  /** Segments before the latest rewrite(), to delete once the checkpoint is durable. */
  private superseded = 0;

  /** True when deleteObsolete() would delete something: the caller checkpoints first. */
  hasObsolete(ackedSeq: number): boolean {
    return this.superseded > 0 || this.prunableCount(ackedSeq) > 0;
  }

  /**
   * Deletes segments superseded by a rewrite and, oldest first, closed segments whose every transition is
   * acknowledged (up to `ackedSeq`). Only a prefix goes: a later segment's drop and ack records refer to earlier ones.
   */
  async deleteObsolete(ackedSeq: number): Promise<number> {
    const count = Math.max(this.superseded, this.prunableCount(ackedSeq));
    if (count === 0) return 0;
    for (const s of this.segments.slice(0, count)) {
      await unlink(join(this.opts.dir, s.name)).catch((err: unknown) => {
        if (errorCode(err) !== 'ENOENT') throw err;
      });
    }
    this.segments = this.segments.slice(count);
    this.superseded = 0;
    await fsyncDirectory(this.opts.dir);
    return count;
  }

  private prunableCount(ackedSeq: number): number {
    let n = 0;
    // The newest segment is never pruned this way: appends go there.
    while (n < this.segments.length - 1 && this.segments[n]!.maxSeq <= ackedSeq) n++;
    return n;
  }

  private async createSegment(): Promise<Segment> {
    await ensurePrivateDir(this.opts.dir);
    let number = this.segments.length ? Number(SEGMENT.exec(this.segments.at(-1)!.name)![1]) + 1 : 1;
    for (;;) {
      const name = `${String(number).padStart(10, '0')}.seg`;
      try {
        const handle = await open(join(this.opts.dir, name), 'wx', PRIVATE_FILE_MODE);
        await handle.close();
      } catch (err) {
        if (errorCode(err) === 'EEXIST') {
          number += 1; // a leftover of an earlier life of this directory: never append to what we did not read
          continue;
        }
        throw err;
      }
      await fsyncDirectory(this.opts.dir);
      const segment: Segment = { name, size: 0, maxSeq: 0 };
      this.segments.push(segment);
      return segment;
    }
  }

  /** Moves the bytes from `offset` on into `<segment>.corrupt-<time>` and truncates the segment there. */
  private async cutTail(path: string, buf: Buffer, offset: number): Promise<string | undefined> {
    const stamp = this.opts.now().toISOString().replace(/[-:]/g, '');
    const kept = `${path}.corrupt-${stamp}`;
    let saved: string | undefined;
    try {
      await writeFile(`${kept}.tmp`, buf.subarray(offset), { mode: PRIVATE_FILE_MODE });
      await rename(`${kept}.tmp`, kept);
      saved = kept;
    } catch {
      // Could not keep a copy (disk full?): still cut, or every later append would land behind the damage.
    }
    await truncate(path, offset).catch(() => undefined);
    return saved;
  }
}
