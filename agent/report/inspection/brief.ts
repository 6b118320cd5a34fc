import type { InspectionReport } from './build.js';

/** A month's checklist in a few numbers, small enough for every heartbeat: the desk's per-terminal inspection column. */
export interface InspectionBrief {
  month: string;
  /** false while the month runs */
  complete: boolean;
  pass: number;
  fail: number;
  na: number;
  /** the failed items as "Item: subject" (English), at most MAX_FAILED */
  failed: string[];
}

export const MAX_FAILED = 16;

export function inspectionBrief(r: InspectionReport): InspectionBrief {
  return {
    month: r.month,
    complete: r.complete,
    ...r.result,
    failed: r.checklist.filter((i) => i.result === 'fail').slice(0, MAX_FAILED).map((i) => `${i.item.en}: ${i.subject}`.slice(0, 128)),
  };
}
