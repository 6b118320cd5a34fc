import { existsSync, mkdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import pino from 'pino';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, tightenSync } from '../private-files.js';

export interface RotatingFileOptions {
  file: string;
  /** Rotate before a write would take the live file past this size. */
  maxBytes: number;
  /** Rotated files kept besides the live one: file.1 (newest) … file.N (oldest). 0 keeps none. */
  maxFiles: number;
}

type FileStream = ReturnType<typeof pino.destination>;

/**
 * A pino destination with size-based rotation: agent.log → agent.log.1 → … → agent.log.N.
 * Writes are synchronous (sonic-boom sync mode) so that rotation happens exactly between two lines and nothing is
 * lost or split; the agent logs little, so the cost is negligible. No worker-thread transport: a thread costs
 * several MB of RSS, which matters on a till PC.
 */
export class RotatingFileDestination {
  readonly file: string;
  readonly #maxBytes: number;
  readonly #maxFiles: number;
  readonly #stream: FileStream;
  #size: number;
  #rotationErrorReported = false;

  constructor(opts: RotatingFileOptions) {
    this.file = opts.file;
    this.#maxBytes = Math.max(1, Math.floor(opts.maxBytes));
    this.#maxFiles = Math.max(0, Math.floor(opts.maxFiles));
    // Logs name sites, subjects and errors: readable by the agent's user only, whatever the umask.
    mkdirSync(dirname(opts.file), { recursive: true, mode: PRIVATE_DIR_MODE });
    for (let i = 0; i <= this.#maxFiles; i++) tightenSync(i === 0 ? opts.file : `${opts.file}.${i}`, PRIVATE_FILE_MODE);
    this.#size = existsSync(opts.file) ? statSync(opts.file).size : 0;
    this.#stream = pino.destination({ dest: opts.file, sync: true, append: true, mkdir: true, mode: PRIVATE_FILE_MODE });
    // Each reopen() leaves a one-shot 'ready' listener until the next tick (it closes the old descriptor);
    // a burst of rotations within one tick is legitimate and must not trigger the leak warning.
    this.#stream.setMaxListeners(0);
  }

  write(chunk: string): boolean {
    const bytes = Buffer.byteLength(chunk);
    if (this.#size > 0 && this.#size + bytes > this.#maxBytes) this.#rotate();
    this.#size += bytes;
    return this.#stream.write(chunk);
  }

  flush(cb?: (err?: Error) => void): void {
    this.#stream.flush(cb);
  }

  flushSync(): void {
    this.#stream.flushSync();
  }

  end(): void {
    this.#stream.end();
  }

  #rotate(): void {
    try {
      this.#stream.flushSync();
      if (this.#maxFiles === 0) {
        unlinkSync(this.file);
      } else {
        for (let i = this.#maxFiles; i >= 1; i--) {
          const from = i === 1 ? this.file : `${this.file}.${i - 1}`;
          // rename replaces the oldest file, so at most maxFiles rotated files remain
          if (existsSync(from)) renameSync(from, `${this.file}.${i}`);
        }
      }
      // The open descriptor still points at the renamed file; reopen creates a fresh live file.
      this.#stream.reopen();
    } catch (err) {
      // Keep logging into the current file; try again after another maxBytes.
      if (!this.#rotationErrorReported) {
        this.#rotationErrorReported = true;
        process.stderr.write(`guardpost: log rotation of ${this.file} failed: ${(err as Error).message}\n`);
      }
    }
    this.#size = 0;
  }
}
