import { statSync } from 'node:fs';
import path from 'node:path';
import type { HostPlatform } from '../../platform/types.js';

/** Where a configured module is: the file to load, or every place looked in when it is nowhere. */
export type ModuleLocation = { found: true; path: string } | { found: false; problem: string; tried: string[] };

/** A name without a directory part is looked up; a path (absolute or relative) is taken as written. */
export const isBareName = (module: string): boolean => !module.includes('/') && !module.includes('\\');

/**
 * Finds a configured PKCS#11 module. A bare file name ("opensc-pkcs11.so") is looked for in the platform's library
 * search path, the way the dynamic loader would, so the check loads the same file as the settlement software does and
 * can say which paths it tried; a path is used as written. `searchPath` is read once (see ModuleHandle).
 */
export function locateModule(module: string, searchPath: string[] | undefined): ModuleLocation {
  if (!isBareName(module) || !searchPath) {
    const problem = fileProblem(module);
    return problem ? { found: false, problem, tried: [module] } : { found: true, path: module };
  }
  const tried = searchPath.map((dir) => path.join(dir, module));
  const hit = tried.find((file) => fileProblem(file) === null);
  if (hit) return { found: true, path: hit };
  return { found: false, problem: `${module}: not found in the library search path (driver not installed?); looked in ${searchPath.join(', ')}`, tried };
}

/** The search path of a platform, read once per module handle (ld.so.conf does not change between runs). */
export function librarySearchPath(platform: HostPlatform | undefined): string[] | undefined {
  return platform?.librarySearchPath?.();
}

function fileProblem(file: string): string | null {
  try {
    return statSync(file).isFile() ? null : `${file} is not a file`;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    return code === 'ENOENT' ? `${file}: no such file (driver not installed?)` : `${file}: ${code}`;
  }
}
