import path from 'node:path';
import { ascending, type Thresholds } from '../shared/thresholds.js';
import { resolveMount, type DiskConfig, type ResolvedMount } from './schema.js';

export const spaceThresholds = (m: ResolvedMount): Thresholds => ({
  minor: m.minorPercent,
  major: m.majorPercent,
  critical: m.criticalPercent,
});

export const inodeThresholds = (m: ResolvedMount): Thresholds => ({
  minor: m.inodeMinorPercent,
  major: m.inodeMajorPercent,
  critical: m.inodeCriticalPercent,
});

/** The configured entry for a watched path (as resolved in the result's labels); defaults for platform mounts. */
export function mountConfigFor(config: DiskConfig, watchedPath: string): ResolvedMount {
  const entry = (config.mounts ?? []).find((m) => path.resolve(m.path) === watchedPath);
  return resolveMount(entry ?? { path: watchedPath });
}

/** Throws a clear error naming the first mount entry whose lines are out of order. */
export function validateMounts(mounts: ResolvedMount[]): void {
  mounts.forEach((m, i) => {
    const space = spaceThresholds(m);
    if (!ascending(space)) {
      throw new Error(
        `disk: mounts[${i}] ("${m.path}"): thresholds must satisfy minorPercent ≤ majorPercent ≤ criticalPercent, ` +
          `got ${space.minor} / ${space.major} / ${space.critical}`,
      );
    }
    const inodes = inodeThresholds(m);
    if (!ascending(inodes)) {
      throw new Error(
        `disk: mounts[${i}] ("${m.path}"): thresholds must satisfy inodeMinorPercent ≤ inodeMajorPercent ≤ ` +
          `inodeCriticalPercent, got ${inodes.minor} / ${inodes.major} / ${inodes.critical}`,
      );
    }
  });
}
