import type { Text } from './text.js';

/** Grades of the maintenance contracts, highest first. */
export const SEVERITIES = ['critical', 'major', 'minor'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const SEVERITY_TEXT: Record<Severity, Text> = {
  critical: { zh: '严重', en: 'critical' },
  major: { zh: '一般', en: 'major' },
  minor: { zh: '轻微', en: 'minor' },
};

/** Higher is worse: critical 3, major 2, minor 1 (also the CLI's exit codes). */
export function severityRank(s: Severity | undefined): number {
  return s === 'critical' ? 3 : s === 'major' ? 2 : s === 'minor' ? 1 : 0;
}

export function worstSeverity(list: Iterable<Severity>): Severity | undefined {
  let worst: Severity | undefined;
  for (const s of list) if (severityRank(s) > severityRank(worst)) worst = s;
  return worst;
}
