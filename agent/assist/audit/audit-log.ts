import { constants } from 'node:fs';
import { open, readFile, truncate, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ensurePrivateDir, PRIVATE_FILE_MODE, tighten } from '../../core/private-files.js';
import { isAuditKind, type AuditKind } from './kinds.js';
import { GENESIS, parseLine, RESERVED_FIELDS, sealRecord, sha256, type AuditFields, type AuditRecord } from './record.js';

export const AUDIT_FILE = 'audit.jsonl';

/** The audit directory of an agent's state directory (storage.dir). */
export const auditDirOf = (storageDir: string) => join(storageDir, 'audit');

/** A torn last line found at open: cut from the log, its bytes kept beside it. */
export interface AuditRecovery {
  line: number;
  bytes: number;
  savedAs: string;
}

export interface AuditLogOptions {
  now?: () => Date;
}

/**
 * The local audit log: append-only JSON lines, each carrying the hash of the line before (see record.ts), written
 * with O_APPEND and fdatasync before append() resolves. One writer per file (the agent). At open, a last line torn
 * by a crash is cut and its bytes saved as `audit.jsonl.torn-<time>`, never silently dropped.
 */
export class AuditLog {
  private chain: Promise<unknown> = Promise.resolve();
  private broken?: Error;
  private readonly listeners = new Set<() => void>();
  /** Where the last read for delivery stopped: the next read after that seq starts here instead of at byte 0. */
  private cursor = { seq: 0, offset: 0 };

  private constructor(
    readonly file: string,
    private fh: FileHandle | undefined,
    private seq: number,
    private head: string,
    readonly recovered: AuditRecovery | undefined,
    private readonly now: () => Date,
  ) {}

  static async open(dir: string, options: AuditLogOptions = {}): Promise<AuditLog> {
    await ensurePrivateDir(dir);
    const file = join(dir, AUDIT_FILE);
    const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? undefined : Promise.reject(err)));
    let seq = 0;
    let head = GENESIS;
    let recovered: AuditRecovery | undefined;
    if (text) {
      const end = text.endsWith('\n') ? text.length : text.lastIndexOf('\n') + 1;
      if (end < text.length) {
        // A crash mid-write: the tail after the last newline is no record. Keep its bytes, then cut it.
        const torn = text.slice(end);
        const savedAs = `${file}.torn-${new Date().toISOString().replace(/[:.]/g, '-')}`;
        await writeFile(savedAs, torn, { mode: PRIVATE_FILE_MODE, flag: 'wx' });
        await truncate(file, Buffer.byteLength(text.slice(0, end)));
        recovered = { line: text.slice(0, end).split('\n').length, bytes: Buffer.byteLength(torn), savedAs };
      }
      const lastLine = text.slice(0, end).trimEnd().split('\n').at(-1);
      if (lastLine) {
        const parsed = parseLine(lastLine);
        if (!parsed.ok) throw new Error(`${file}: the last record is unreadable (${parsed.why}); run guardpost audit verify`);
        seq = parsed.record.seq;
        head = sha256(lastLine);
      }
    }
    const fh = await open(file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, PRIVATE_FILE_MODE);
    await tighten(file, PRIVATE_FILE_MODE);
    if (!text) await syncDir(dir); // the new file's name must survive a power cut too
    return new AuditLog(file, fh, seq, head, recovered, options.now ?? (() => new Date()));
  }

  get lastSeq(): number {
    return this.seq;
  }

  /** Called after each record is on disk (the desk tunnel delivers it); returns the unsubscribe. */
  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The exact lines of the records after `seq`, oldest first, at most `maxLines` and about `maxBytes` (at least
   * one line), for delivery to the desk. Reads from where the previous call stopped when it continues from there.
   */
  async linesAfter(seq: number, maxLines: number, maxBytes: number): Promise<{ seq: number; line: string }[]> {
    if (seq >= this.seq) return [];
    const start = this.cursor.seq === seq ? this.cursor.offset : 0;
    const fh = await open(this.file, 'r');
    try {
      const out: { seq: number; line: string }[] = [];
      let bytes = 0;
      // `lineStart` is the file offset of the first byte of `carry`, the line being read.
      let lineStart = start;
      let carry = Buffer.alloc(0);
      const buf = Buffer.alloc(64 * 1024);
      for (;;) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, lineStart + carry.length);
        if (!bytesRead) return out;
        const data = Buffer.concat([carry, buf.subarray(0, bytesRead)]);
        let from = 0;
        for (let nl = data.indexOf(0x0a); nl >= 0; nl = data.indexOf(0x0a, from)) {
          const line = data.toString('utf8', from, nl);
          const next = lineStart + nl + 1;
          from = nl + 1;
          const n = seqOf(line);
          if (n === undefined || n <= seq) continue;
          if (n > this.seq) return out; // being written right now: the next call gets it
          if (out.length && (out.length >= maxLines || bytes + line.length > maxBytes)) return out;
          out.push({ seq: n, line });
          bytes += line.length + 1;
          this.cursor = { seq: n, offset: next };
        }
        lineStart += from;
        carry = data.subarray(from);
      }
    } finally {
      await fh.close();
    }
  }

  /** Appends one record; resolves with it once it is on disk. Appends run one at a time, in call order. */
  append(kind: AuditKind, fields: AuditFields = {}): Promise<AuditRecord> {
    const run = this.chain.then(() => this.write(kind, fields));
    this.chain = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.chain;
    const fh = this.fh;
    this.fh = undefined;
    await fh?.close();
  }

  private async write(kind: AuditKind, fields: AuditFields): Promise<AuditRecord> {
    if (this.broken) throw new Error(`the audit log failed earlier and takes no more records until reopened: ${this.broken.message}`);
    if (!this.fh) throw new Error('the audit log is closed');
    if (!isAuditKind(kind)) throw new Error(`unknown audit kind "${String(kind)}"`);
    for (const k of Object.keys(fields)) if (RESERVED_FIELDS.has(k)) throw new Error(`audit field "${k}" is reserved`);
    const { record, line } = sealRecord(this.seq + 1, this.now().toISOString(), kind, fields, this.head);
    try {
      await this.fh.write(`${line}\n`);
      await this.fh.datasync();
    } catch (err) {
      // A partial line may be on disk: appending after it would bury it mid-file. Stop; the next open cuts it.
      this.broken = err as Error;
      throw err;
    }
    this.seq = record.seq;
    this.head = sha256(line);
    for (const l of this.listeners) l();
    return record;
  }
}

/** The seq of a record line without parsing all of it (lines start with {"seq":N, as sealRecord writes them). */
function seqOf(line: string): number | undefined {
  const m = /^\{"seq":(\d+),/.exec(line);
  return m ? Number(m[1]) : undefined;
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r').catch(() => undefined);
  if (!fh) return;
  await fh.sync().catch(() => undefined); // not every file system syncs directories
  await fh.close();
}
