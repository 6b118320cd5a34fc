import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The desk's files hold token hashes, every site's fault data and private keys: owner-only, whatever the umask.
 * New files and directories are created with these modes and set explicitly (the umask may have taken bits away
 * or, for a directory that existed, never applied); existing ones are tightened at start, never loosened.
 */
export const PRIVATE_FILE = 0o600;
export const PRIVATE_DIR = 0o700;

/** Creates the directory (and missing parents) owner-only; an existing one is tightened. */
export function privateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR });
  tighten(dir, PRIVATE_DIR);
}

/** Writes the file owner-only (an existing file keeps its inode and is tightened). */
export function writePrivateFile(path: string, text: string): void {
  writeFileSync(path, text, { mode: PRIVATE_FILE });
  chmodSync(path, PRIVATE_FILE);
}

/** Creates an empty owner-only file if there is none, so that whoever opens it next (SQLite, the logger) keeps that mode. */
export function createPrivateFile(path: string): void {
  if (!existsSync(path)) closeSync(openSync(path, 'a', PRIVATE_FILE));
  tighten(path, PRIVATE_FILE);
}

/** Takes group and other permissions away if the path has any; true when it changed something. */
export function tighten(path: string, mode: number): boolean {
  let current: number;
  try {
    current = statSync(path).mode & 0o777;
  } catch {
    return false; // not there (yet)
  }
  if ((current & ~mode) === 0) return false;
  chmodSync(path, current & mode);
  return true;
}

/** Tightens the listed files and directories that exist; returns those it changed. */
export function tightenAll(files: string[], dirs: string[]): string[] {
  return [...dirs.filter((d) => tighten(d, PRIVATE_DIR)), ...files.filter((f) => tighten(f, PRIVATE_FILE))];
}

/** A directory's subdirectories and files, one level deep (the desk's agents/<id>/ folders). */
export function listTree(dir: string): { dirs: string[]; files: string[] } {
  const dirs: string[] = [];
  const files: string[] = [];
  if (!existsSync(dir)) return { dirs, files };
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      dirs.push(p);
      for (const f of readdirSync(p, { withFileTypes: true })) if (f.isFile()) files.push(join(p, f.name));
    } else if (e.isFile()) files.push(p);
  }
  return { dirs, files };
}
