import type { ProbeResult } from '../checks/result.js';
import type { Text } from '../text.js';
import type { FaultSignal } from './types.js';

/**
 * CLOCK_SKEW grading, shared by every reporter of a reference time: the settlement check (the platform's HTTP Date
 * header), the desk tunnel (the desk's time) and the clock check's rules. The fault's catalogue entry stays with
 * the clock check; only what each reporter needs to grade alike lives here.
 */
export const CLOCK_SKEW_MAJOR_SECONDS = 60;
export const CLOCK_SKEW_CRITICAL_SECONDS = 300;

/** The reason every reporter of a skew uses, with its text for the closed reason lists. */
export const CLOCK_SKEW_REASON = {
  clock_skew: { zh: '本机时间与参考时间相差过大', en: 'the local clock differs too much from a reference time' },
} as const satisfies Record<string, Text>;

/** Grades an observed skew (seconds, either sign); null when within tolerance. */
export function gradeClockSkew(skewSeconds: number): FaultSignal | null {
  const a = Math.abs(skewSeconds);
  if (a > CLOCK_SKEW_CRITICAL_SECONDS) return { code: 'CLOCK_SKEW', severity: 'critical' };
  if (a > CLOCK_SKEW_MAJOR_SECONDS) return { code: 'CLOCK_SKEW', severity: 'major' };
  return null;
}

/** The fault for a `clock_skew` result (by `evidence.skewSeconds`), null for any other reason. */
export function clockSkewRule(result: ProbeResult): FaultSignal | null {
  if (result.reason !== 'clock_skew') return null;
  // A skew reported as failing is at least major even if its size is missing from the evidence.
  return gradeClockSkew(Number(result.evidence.skewSeconds ?? 0)) ?? { code: 'CLOCK_SKEW', severity: 'major' };
}
