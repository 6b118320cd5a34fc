import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { StringDecoder } from 'node:string_decoder';
import { PRIVATE_FILE_MODE } from '../../../core/private-files.js';

export interface CastHeader {
  width: number;
  height: number;
  /** Unix seconds when the shell started. */
  timestamp: number;
  env: { TERM: string; SHELL: string };
  title: string;
}

export interface RecordingSummary {
  file: string;
  sha256: string;
  bytes: number;
  durationSeconds: number;
}

/**
 * A shell's transcript as asciicast v2 (https://docs.asciinema.org/manual/asciicast/v2/): a header line, then
 * `[seconds, "o", text]` for output and `[seconds, "r", "COLSxROWS"]` for resizes. Input is never recorded: people
 * type passwords. Output goes through a StringDecoder, so a character split across two pty reads is written whole
 * and the "o" texts concatenate to exactly the bytes the engineer received (for UTF-8 output; other bytes become
 * U+FFFD, asciicast being text). Lines are written in order; the sha256 covers every byte written.
 */
export class AsciicastRecorder {
  private readonly decoder = new StringDecoder('utf8');
  private readonly hash = createHash('sha256');
  private readonly started = performance.now();
  private chain: Promise<void> = Promise.resolve();
  private bytes = 0;
  private failed?: Error;

  private constructor(
    readonly file: string,
    private readonly fh: FileHandle,
  ) {}

  /** Creates the file (0600; never over an existing one) and writes the header; rejects if it cannot be written. */
  static async open(file: string, header: CastHeader): Promise<AsciicastRecorder> {
    const fh = await open(file, 'wx', PRIVATE_FILE_MODE);
    const r = new AsciicastRecorder(file, fh);
    try {
      await r.line({ version: 2, ...header });
    } catch (err) {
      await fh.close().catch(() => undefined);
      throw err;
    }
    return r;
  }

  output(bytes: Buffer): Promise<void> {
    const text = this.decoder.write(bytes);
    return text ? this.event('o', text) : this.chain;
  }

  resize(cols: number, rows: number): Promise<void> {
    return this.event('r', `${cols}x${rows}`);
  }

  /** Writes what the decoder still holds, syncs and closes; the summary is what the audit record names. */
  async close(): Promise<RecordingSummary> {
    const rest = this.decoder.end();
    if (rest) void this.event('o', rest).catch(() => undefined);
    await this.chain.catch(() => undefined); // a failed write is this.failed, thrown below once the file is closed
    try {
      if (this.failed) throw this.failed;
      await this.fh.sync();
    } finally {
      await this.fh.close().catch(() => undefined);
    }
    return { file: this.file, sha256: this.hash.digest('hex'), bytes: this.bytes, durationSeconds: this.seconds() };
  }

  /** Closes without a summary (the shell never started). */
  async abandon(): Promise<void> {
    await this.chain.catch(() => undefined);
    await this.fh.close().catch(() => undefined);
  }

  private seconds(): number {
    return Math.round(performance.now() - this.started) / 1000;
  }

  private event(code: 'o' | 'r', data: string): Promise<void> {
    return this.line([Number(((performance.now() - this.started) / 1000).toFixed(6)), code, data]);
  }

  private line(value: unknown): Promise<void> {
    const buf = Buffer.from(`${JSON.stringify(value)}\n`);
    this.chain = this.chain.then(async () => {
      if (this.failed) throw this.failed;
      try {
        await this.fh.write(buf);
      } catch (err) {
        this.failed = err as Error;
        throw err;
      }
      this.hash.update(buf);
      this.bytes += buf.length;
    });
    return this.chain;
  }
}
