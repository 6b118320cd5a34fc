import { open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Adapter } from 'lowdb';
import { readJsonFile } from './json-file.js';
import { PRIVATE_FILE_MODE } from '../private-files.js';

export interface DurableFileOptions<T> {
  /** Keep the previous version as `<file>.bak` (the last good copy restored at start-up). Default true. */
  keepBackup?: boolean;
  /** Must be synchronous and produce compact JSON; default JSON.stringify. */
  serialize?: (data: T) => string | Buffer;
}

/** Thrown by `read()` when the file exists but cannot be used; `reason` is a sentence naming the file and the problem. */
export class UnreadableFileError extends Error {
  constructor(readonly path: string, readonly reason: string) {
    super(reason);
    this.name = 'UnreadableFileError';
  }
}

/**
 * A lowdb adapter that survives crashes and power loss: write `<file>.tmp`, fsync it, move the current file to
 * `<file>.bak`, rename the temp file in, fsync the directory. lowdb's own JSONFile (steno) never fsyncs.
 * JSON is compact because the agent rewrites it often.
 * Writes are serialized internally; the data is stringified synchronously when `write` is called, so the caller
 * knows exactly which changes a write contains.
 */
export class DurableFileAdapter<T> implements Adapter<T> {
  readonly path: string;
  readonly tempPath: string;
  readonly backupPath: string;
  private readonly keepBackup: boolean;
  private readonly serialize: (data: T) => string | Buffer;
  private queue: Promise<unknown> = Promise.resolve();
  /** Instrumentation: completed writes and the bytes they wrote (tests and the benchmark read these). */
  writes = 0;
  bytesWritten = 0;

  constructor(path: string, options: DurableFileOptions<T> = {}) {
    this.path = path;
    this.tempPath = `${path}.tmp`;
    this.backupPath = `${path}.bak`;
    this.keepBackup = options.keepBackup ?? true;
    this.serialize = options.serialize ?? ((data) => JSON.stringify(data));
  }

  /** The parsed file, null when it does not exist; throws UnreadableFileError when it exists but is not JSON. */
  async read(): Promise<T | null> {
    const got = await readJsonFile(this.path);
    if (got.kind === 'missing') return null;
    if (got.kind === 'bad') throw new UnreadableFileError(this.path, got.reason);
    return got.value as T;
  }

  write(data: T): Promise<void> {
    let payload: string | Buffer;
    try {
      payload = this.serialize(data);
    } catch (err) {
      return Promise.reject(err);
    }
    const run = this.queue.then(() => this.replace(payload));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async replace(payload: string | Buffer): Promise<void> {
    try {
      const file = await open(this.tempPath, 'w', PRIVATE_FILE_MODE); // renamed over the file: it keeps this mode
      try {
        await file.writeFile(payload);
        await file.sync();
      } finally {
        await file.close();
      }
    } catch (err) {
      // On a full disk a half-written temp file would hold on to the little space left.
      await this.removeStaleTemp();
      throw err;
    }
    if (this.keepBackup) {
      // A crash between these two renames leaves only the .bak: start-up restores it (see recover.ts).
      await rename(this.path, this.backupPath).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
    }
    await rename(this.tempPath, this.path);
    await fsyncDirectory(dirname(this.path));
    this.writes += 1;
    this.bytesWritten += typeof payload === 'string' ? Buffer.byteLength(payload, 'utf8') : payload.length;
  }

  /** Removes a temp file left by a crash mid-write (it was never renamed in, so it holds nothing committed). */
  async removeStaleTemp(): Promise<void> {
    await unlink(this.tempPath).catch(() => undefined);
  }
}

/** Makes the renames themselves durable. Windows cannot open a directory for fsync; NTFS journals renames anyway. */
export async function fsyncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
