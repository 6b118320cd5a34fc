import { stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * The mount point holding `target`: walk up the parents while they are on the same device (st_dev).
 * A missing target is located through its nearest existing ancestor. Works for drive roots on Windows too,
 * where st_dev is the volume serial number. Bind mounts of the same device are not told apart.
 */
export async function mountPointOf(target: string): Promise<string> {
  let dir = path.resolve(target);
  let dev = await deviceOf(dir);
  while (dev === undefined) {
    const parent = path.dirname(dir);
    if (parent === dir) return dir;
    dir = parent;
    dev = await deviceOf(dir);
  }
  for (;;) {
    const parent = path.dirname(dir);
    if (parent === dir) return dir;
    const parentDev = await deviceOf(parent);
    if (parentDev !== dev) return dir;
    dir = parent;
  }
}

async function deviceOf(p: string): Promise<bigint | undefined> {
  try {
    return (await stat(p, { bigint: true })).dev;
  } catch {
    return undefined;
  }
}
