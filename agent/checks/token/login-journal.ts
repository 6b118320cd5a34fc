import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, fsyncSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { ownershipProblem } from './owned-path.js';

/** Under the agent's state directory: kept across restarts and reboots, like the rest of the agent's state. */
export const LOGIN_JOURNAL_DIR = 'token-logins';

/** What the journal says about one token's logins. */
export type JournalReading =
  | { kind: 'clear' }
  /** A login was started on `day` (local YYYY-MM-DD) and did not succeed; `failure` is why, when it returned at all. */
  | { kind: 'marked'; day: string; failure?: string }
  /** The journal cannot be trusted, so no login may happen; `reason` names the path and what is wrong. */
  | { kind: 'unusable'; reason: string };

/** The journal could not be written: the login must not happen. */
export class JournalError extends Error {
  override name = 'JournalError';
}

interface Marker {
  day: string;
  failure?: string;
}

// Only the agent's user may read or write the guard, as the rest of its state.
const PRIVATE_FILE_MODE = 0o600;
const PRIVATE_DIR_MODE = 0o700;
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0; // absent on Windows, which has no symbolic links to fear here
const POSIX = process.platform !== 'win32';

/**
 * The wrong-PIN guard: a marker written durably (temp file, fsync, rename, fsync of the directory) just before
 * C_Login, holding the day, and removed only when the login succeeds. The check's state travels back from the isolated
 * child only with a finished run; if the vendor module kills the child inside or just after a login, this marker
 * still says that an attempt failed that day, so none follows, whatever restarts or reboots come in between.
 * Only the agent's own user may have written it (see owned-path.ts): anything else is `unusable`, and no login.
 */
export class LoginJournal {
  readonly dir: string;
  readonly file: string;

  constructor(
    readonly stateDir: string,
    private readonly checkId: string,
    private readonly tokenName: string,
  ) {
    this.dir = path.join(stateDir, LOGIN_JOURNAL_DIR);
    const key = createHash('sha256').update(`${checkId}\0${tokenName}`).digest('hex').slice(0, 16);
    this.file = path.join(this.dir, `${key}.login`);
  }

  read(): JournalReading {
    const dirs = this.directoryProblem(false);
    if (dirs === 'absent') return { kind: 'clear' };
    if (dirs) return { kind: 'unusable', reason: dirs };
    let fd: number;
    try {
      fd = openSync(this.file, constants.O_RDONLY | O_NOFOLLOW);
    } catch (err) {
      const code = errorCode(err);
      if (code === 'ENOENT') return { kind: 'clear' };
      return { kind: 'unusable', reason: code === 'ELOOP' ? `${this.file} is a symbolic link` : `${this.file} cannot be read (${code})` };
    }
    try {
      const owned = ownershipProblem(this.file, fstatSync(fd), 'file');
      if (owned) return { kind: 'unusable', reason: owned };
      const marker = this.parse(readFileSync(fd, 'utf8'));
      if (marker) return { kind: 'marked', ...marker };
      return { kind: 'unusable', reason: `${this.file} is damaged or not this token's login marker; delete it once the token's PIN retry counter has been checked` };
    } finally {
      closeSync(fd);
    }
  }

  /** Marks a login attempt on `day`, durably, before C_Login. Throws JournalError when it cannot: then no login. */
  begin(day: string): void {
    this.write({ day });
  }

  /**
   * Records why the login of `day` failed (e.g. CKR_PIN_INCORRECT), so that a process which never saw it (a restart, a
   * one-shot check) names the real reason. Throws JournalError; the marker of begin() stays either way.
   */
  refused(day: string, failure: string): void {
    this.write({ day, failure: failure.slice(0, 200) });
  }

  private write(marker: Marker): void {
    const dirs = this.directoryProblem(true);
    if (dirs) throw new JournalError(dirs === 'absent' ? `${this.dir} could not be created` : dirs);
    const temp = `${this.file}.tmp`;
    try {
      rmSync(temp, { force: true }); // a crash mid-write; only the agent's user can write this directory
      const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | O_NOFOLLOW, PRIVATE_FILE_MODE);
      try {
        writeSync(fd, `${JSON.stringify({ ...marker, checkId: this.checkId, token: this.tokenName, sha256: this.checksum(marker) })}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, this.file);
      fsyncDirectory(this.dir);
    } catch (err) {
      throw new JournalError(`${this.file} cannot be written (${errorCode(err)})`);
    }
  }

  /** Removes the marker, durably: the login succeeded, or its day is over. */
  end(): void {
    rmSync(this.file, { force: true });
    if (lstatSync(this.dir, { throwIfNoEntry: false })) fsyncDirectory(this.dir);
  }

  /** Over what the marker says and whose it is: a damaged file, or one copied from another token, does not match. */
  private checksum(m: Marker): string {
    return createHash('sha256').update(JSON.stringify([m.day, m.failure ?? null, this.checkId, this.tokenName])).digest('hex');
  }

  /** The marker, or null when the text is not this token's intact marker. */
  private parse(text: string): Marker | null {
    try {
      const m = JSON.parse(text) as { day?: unknown; failure?: unknown; sha256?: unknown };
      if (typeof m.day !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(m.day)) return null;
      if (m.failure !== undefined && typeof m.failure !== 'string') return null;
      const marker: Marker = m.failure === undefined ? { day: m.day } : { day: m.day, failure: m.failure };
      return m.sha256 === this.checksum(marker) ? marker : null;
    } catch {
      return null;
    }
  }

  /** Why the state directory or the journal's own one cannot be trusted; 'absent' when the latter does not exist yet. */
  private directoryProblem(create: boolean): string | 'absent' | null {
    try {
      return this.checkDirectories(create);
    } catch (err) {
      return `${this.dir} cannot be checked (${errorCode(err)})`;
    }
  }

  private checkDirectories(create: boolean): string | 'absent' | null {
    const state = statSync(this.stateDir, { throwIfNoEntry: false });
    if (!state) return `the state directory ${this.stateDir} does not exist`;
    const stateProblem = ownershipProblem(this.stateDir, state, 'directory');
    if (stateProblem) return stateProblem;
    let own = lstatSync(this.dir, { throwIfNoEntry: false });
    if (!own && create) {
      try {
        mkdirSync(this.dir, { mode: PRIVATE_DIR_MODE });
        fsyncDirectory(this.stateDir);
      } catch (err) {
        return `${this.dir} cannot be created (${errorCode(err)})`;
      }
      own = lstatSync(this.dir, { throwIfNoEntry: false });
    }
    if (!own) return 'absent';
    return ownershipProblem(this.dir, own, 'directory');
  }
}

function fsyncDirectory(dir: string): void {
  if (!POSIX) return; // Windows cannot open a directory for fsync; NTFS journals renames anyway
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function errorCode(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? String(err);
}
