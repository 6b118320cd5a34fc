import { createHash } from 'node:crypto';
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { findFiles, splitGlobPath } from '../shared/find-files.js';

/** A log file as seen now. `id` is "dev:ino": it follows the file through renames, which is how rotation is told apart. */
export interface SeenFile {
  path: string;
  id: string;
  size: number;
  mtimeMs: number;
}

const SIBLING_LIMIT = 5000;

async function seen(p: string): Promise<SeenFile | null> {
  try {
    const st = await stat(p, { bigint: true });
    if (!st.isFile()) return null;
    return { path: p, id: `${st.dev}:${st.ino}`, size: Number(st.size), mtimeMs: Number(st.mtimeMs) };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * The files a configured path stands for now: the file itself, or the glob's matches, at most `maxFiles`
 * of the most recently modified, oldest first (older lines are read first). Nothing there yet is not an error;
 * a directory or file we may not read is.
 */
export async function filesFor(entry: string, maxDepth: number, maxFiles: number, signal: AbortSignal): Promise<SeenFile[]> {
  const { base, pattern } = splitGlobPath(entry);
  if (pattern === null) {
    const one = await seen(path.resolve(entry));
    if (!one && (await isDirectory(entry))) throw Object.assign(new Error(`${entry} is a directory`), { code: 'EISDIR' });
    return one ? [one] : [];
  }
  let found;
  try {
    found = await findFiles(base, pattern, { maxDepth, maxEntries: 20_000, signal });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const newest = found.files.sort((a, b) => b.mtimeMs - a.mtimeMs).slice(0, maxFiles);
  const files = (await Promise.all(newest.map((f) => seen(f.path)))).filter((f): f is SeenFile => f !== null);
  return files.sort((a, b) => a.mtimeMs - b.mtimeMs);
}

async function isDirectory(p: string): Promise<boolean> {
  return (await stat(p).catch(() => null))?.isDirectory() ?? false;
}

/** The file with this id in `dir` (where a rotated log usually ends up: app.log → app.log.1), if it is still there. */
export async function findById(dir: string, id: string): Promise<SeenFile | null> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return null;
  }
  for (const name of names.slice(0, SIBLING_LIMIT)) {
    const f = await seen(path.join(dir, name)).catch(() => null);
    if (f?.id === id) return f;
  }
  return null;
}

/** Bytes at the start of a file used to recognise it; inode numbers are recycled when a file is deleted. */
export const HEAD_BYTES = 256;

/** The first bytes of a file (fewer if it is shorter). */
export async function readHead(p: string): Promise<Buffer> {
  const handle = await open(p, 'r');
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buf, 0, HEAD_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** A short hash of the first `len` bytes: enough to tell two files apart, and no log text kept in the state. */
export function fingerprint(head: Buffer, len: number): string {
  return createHash('sha256').update(head.subarray(0, len)).digest('hex').slice(0, 16);
}
