import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';
import { throwIfAborted } from './result.js';

export interface FoundFile {
  /** Absolute path. */
  path: string;
  /** Path relative to the searched directory, with forward slashes. */
  relative: string;
  size: number;
  mtimeMs: number;
}

export interface FindOptions {
  /** Directory levels below the base that `**` may descend into (0: the base directory only). */
  maxDepth: number;
  /** Directory entries looked at before giving up, so a huge tree cannot stall a run. */
  maxEntries: number;
  signal?: AbortSignal;
}

export interface FindResult {
  files: FoundFile[];
  /** True when maxEntries stopped the walk early. */
  truncated: boolean;
}

/** Windows file names are case-insensitive; so are the patterns there. */
const NOCASE = process.platform === 'win32';

/**
 * Regular files under `baseDir` whose relative path matches the glob `pattern` (picomatch syntax, forward slashes).
 * Descends only as deep as the pattern can match (unbounded `**` is capped by maxDepth). Directory symlinks are not
 * followed, so a link loop cannot trap the walk; file symlinks are resolved. Throws when baseDir cannot be read.
 */
export async function findFiles(baseDir: string, pattern: string, options: FindOptions): Promise<FindResult> {
  const isMatch = picomatch(pattern, { nocase: NOCASE });
  const depthLimit = pattern.includes('**') ? options.maxDepth : Math.min(options.maxDepth, pattern.split('/').length - 1);
  const files: FoundFile[] = [];
  let seen = 0;
  let truncated = false;

  const walk = async (dir: string, relDir: string, depth: number): Promise<void> => {
    if (options.signal) throwIfAborted(options.signal);
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (depth === 0) throw err;
      return; // a subdirectory we may not read: skip it, the rest still counts
    }
    for (const entry of entries) {
      if (++seen > options.maxEntries) {
        truncated = true;
        return;
      }
      const rel = relDir ? `${relDir}/${entry.name}` : entry.name;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (depth < depthLimit) await walk(full, rel, depth + 1);
        if (truncated) return;
      } else if ((entry.isFile() || entry.isSymbolicLink()) && isMatch(rel)) {
        const st = await stat(full).catch(() => undefined);
        if (st?.isFile()) files.push({ path: full, relative: rel, size: st.size, mtimeMs: st.mtimeMs });
      }
    }
  };

  await walk(path.resolve(baseDir), '', 0);
  return { files, truncated };
}

/**
 * Splits a path that may hold a glob ("/var/log/his/*.log", "C:\\Logs\\**\\err*.txt") into the directory to
 * search and the pattern relative to it; a plain path has no pattern.
 */
export function splitGlobPath(p: string): { base: string; pattern: string | null } {
  // Backslashes are glob escapes to picomatch; on Windows they are separators.
  const slashed = path.sep === '\\' ? p.replaceAll('\\', '/') : p;
  const scan = picomatch.scan(slashed);
  if (!scan.isGlob) return { base: p, pattern: null };
  return { base: scan.base === '' ? '.' : scan.base, pattern: scan.glob };
}
