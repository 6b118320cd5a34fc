import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A marker written (and fsynced) just before C_Login, holding the day, and removed only when the login succeeds.
 * The check's state travels back from the isolated child only with a finished run; if the vendor module kills the
 * child during or just after the login, this marker still says an attempt failed that day, so none follows.
 */
export class LoginJournal {
  readonly file: string;

  constructor(checkId: string, tokenName: string, dir = path.join(tmpdir(), 'guardpost-token-logins')) {
    const key = createHash('sha256').update(`${checkId}\0${tokenName}`).digest('hex').slice(0, 16);
    this.file = path.join(dir, `${key}.login`);
  }

  /** The local day of the last login attempt that did not succeed, if any. */
  unfinished(): string | null {
    try {
      return readFileSync(this.file, 'utf8').trim() || null;
    } catch {
      return null;
    }
  }

  begin(day: string): void {
    mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const fd = openSync(this.file, 'w', 0o600);
    try {
      writeSync(fd, day);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  end(): void {
    rmSync(this.file, { force: true });
  }
}
