import type { Severity } from '../../core/severity.js';

/** Grade lines of one measure. `critical` is left out where a measure never gets that bad on its own. */
export interface Thresholds {
  minor: number;
  major: number;
  critical?: number;
}

/** For measures where higher is worse (disk used %): the worst line reached, or null below all of them. */
export function gradeAbove(value: number, t: Thresholds): Severity | null {
  if (t.critical !== undefined && value >= t.critical) return 'critical';
  if (value >= t.major) return 'major';
  if (value >= t.minor) return 'minor';
  return null;
}

/** For measures where lower is worse (memory available %): the worst line crossed, or null above all of them. */
export function gradeBelow(value: number, t: Thresholds): Severity | null {
  if (t.critical !== undefined && value < t.critical) return 'critical';
  if (value < t.major) return 'major';
  if (value < t.minor) return 'minor';
  return null;
}

/** True when the lines are in order for a higher-is-worse measure: minor ≤ major ≤ critical. */
export function ascending(t: Thresholds): boolean {
  return t.minor <= t.major && (t.critical === undefined || t.major <= t.critical);
}

/** True when the lines are in order for a lower-is-worse measure: minor ≥ major ≥ critical. */
export function descending(t: Thresholds): boolean {
  return t.minor >= t.major && (t.critical === undefined || t.major >= t.critical);
}
