import { statSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * Where the settlement software's pty link may go. The agent runs as root, so "create the link's directory" would let
 * a config typo make a directory anywhere on the host. The bridge makes one directory itself — its own runtime
 * directory, one level under /run, like systemd's RuntimeDirectory — and otherwise needs the directory to exist.
 */
export const BRIDGE_RUNTIME_DIR = '/run/guardpost';

/** Why a link cannot go at this path, or null. Synchronous: the config loader asks it. */
export function linkDirectoryProblem(linkPath: string): string | null {
  const dir = path.dirname(path.resolve(linkPath));
  if (dir === BRIDGE_RUNTIME_DIR) return null;
  let isDirectory: boolean;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch {
    return `the directory ${dir} does not exist; create it first (the bridge creates only ${BRIDGE_RUNTIME_DIR} itself)`;
  }
  return isDirectory ? null : `${dir} is not a directory`;
}

/** Makes sure the link's directory is there: creates BRIDGE_RUNTIME_DIR (one level, never its parents), refuses others. */
export async function ensureLinkDirectory(linkPath: string): Promise<void> {
  const dir = path.dirname(path.resolve(linkPath));
  const info = await stat(dir).catch(() => undefined);
  if (info?.isDirectory()) return;
  const problem = linkDirectoryProblem(linkPath);
  if (problem) throw new Error(problem);
  await mkdir(dir, { mode: 0o755 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
}
