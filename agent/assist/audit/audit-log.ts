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
    return record;
  }
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r').catch(() => undefined);
  if (!fh) return;
  await fh.sync().catch(() => undefined); // not every file system syncs directories
  await fh.close();
}
