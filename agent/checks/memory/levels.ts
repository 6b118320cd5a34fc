import type { Severity } from '../../core/severity.js';
import { ascending, descending, gradeAbove, gradeBelow } from '../shared/thresholds.js';
import type { ResolvedMemoryConfig } from './schema.js';

const MiB = 1024 * 1024;

/** MEMORY_LOW grade: by percentage, and major below the absolute floor whatever the percentage. */
export function memoryGrade(availablePercent: number, availableBytes: number, c: ResolvedMemoryConfig): Severity | null {
  if (c.availableMajorMiB > 0 && availableBytes < c.availableMajorMiB * MiB) return 'major';
  return gradeBelow(availablePercent, { minor: c.availableMinorPercent, major: c.availableMajorPercent });
}

export const swapGrade = (usedPercent: number, c: ResolvedMemoryConfig): Severity | null =>
  gradeAbove(usedPercent, { minor: c.swapMinorPercent, major: c.swapMajorPercent });

export const loadGrade = (perCore: number, c: ResolvedMemoryConfig): Severity | null =>
  gradeAbove(perCore, { minor: c.loadMinorPerCore, major: c.loadMajorPerCore });

/** Throws a clear error when a pair of lines is out of order. */
export function validateMemoryConfig(c: ResolvedMemoryConfig): void {
  if (!descending({ minor: c.availableMinorPercent, major: c.availableMajorPercent })) {
    throw new Error(
      `memory: availableMajorPercent (${c.availableMajorPercent}) must not be above availableMinorPercent (${c.availableMinorPercent}): less memory is worse`,
    );
  }
  if (!ascending({ minor: c.swapMinorPercent, major: c.swapMajorPercent })) {
    throw new Error(`memory: swapMinorPercent (${c.swapMinorPercent}) must not be above swapMajorPercent (${c.swapMajorPercent})`);
  }
  if (!ascending({ minor: c.loadMinorPerCore, major: c.loadMajorPerCore })) {
    throw new Error(`memory: loadMinorPerCore (${c.loadMinorPerCore}) must not be above loadMajorPerCore (${c.loadMajorPerCore})`);
  }
}
