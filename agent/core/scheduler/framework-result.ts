import { FRAMEWORK_REASONS, type Evidence, type FrameworkReason, type ProbeResult } from '../checks/result.js';

/** The single failure result the framework reports for a run that produced no results of its own. */
export function frameworkFailure(
  checkId: string,
  reason: FrameworkReason,
  evidence: Evidence,
  finishedAtMs: number,
  durationMs: number,
): ProbeResult {
  const message = FRAMEWORK_REASONS[reason];
  return {
    status: 'fail',
    reason,
    message: { zh: message.zh, en: message.en },
    subject: checkId,
    evidence,
    time: new Date(finishedAtMs).toISOString(),
    durationMs,
  };
}
