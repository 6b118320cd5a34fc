import { severityRank, type Severity } from '../core/severity.js';

/** CLI exit codes, a contract shared with service scripts: 0 healthy, 1 minor, 2 major, 3 critical, 78 bad config. */
export const EXIT = { ok: 0, minor: 1, major: 2, critical: 3, usage: 64, unavailable: 69, software: 70, config: 78 } as const;

export function exitCodeFor(worst: Severity | undefined): number {
  return severityRank(worst);
}
