import { chmodSync, lstatSync } from 'node:fs';
import { chmod, lstat, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The agent's state holds fault data and check state; nobody but the agent's own user has business reading it.
 * Files are created 0600 and directories 0700 whatever the umask, and what an earlier version left more open is
 * tightened at start. Windows has no POSIX modes: its ACLs come from the installer's directory, so this is a no-op.
 */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;
const POSIX = process.platform !== 'win32';

/** mkdir -p with 0700 for what it creates, and 0700 for `dir` itself even if it existed. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (POSIX) await tighten(dir, PRIVATE_DIR_MODE);
}

/** Drops group and other bits of `path` (never adds any): 0644 becomes 0600, 0755 becomes 0700. */
export async function tighten(path: string, mode: number): Promise<void> {
  if (!POSIX) return;
  const st = await lstat(path).catch(() => undefined);
  if (!st || st.isSymbolicLink()) return; // a link is not ours to follow
  if ((st.mode & 0o077) !== 0) await chmod(path, st.mode & 0o7700 & (mode | 0o7000));
}

/** Tightens `dir` and, one level down (and into `subdirs`), every file and directory in it. */
export async function tightenTree(dir: string, subdirs: readonly string[] = []): Promise<void> {
  if (!POSIX) return;
  await tighten(dir, PRIVATE_DIR_MODE);
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      await tighten(path, PRIVATE_DIR_MODE);
      if (subdirs.includes(e.name)) await tightenTree(path);
    } else if (e.isFile()) await tighten(path, PRIVATE_FILE_MODE);
  }
}

/** The same as tighten(), synchronously: for the log file, opened before anything async runs. */
export function tightenSync(path: string, mode: number): void {
  if (!POSIX) return;
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return;
  }
  if (!st.isSymbolicLink() && (st.mode & 0o077) !== 0) chmodSync(path, st.mode & 0o7700 & (mode | 0o7000));
}
