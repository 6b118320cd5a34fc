import { FRAMEWORK_REASONS, type Evidence, type FrameworkReason, type ProbeResult } from '../checks/result.js';
import type { Text } from '../text.js';

/** The single failure result the framework reports for a run that produced no results of its own. */
export function frameworkFailure(
  checkId: string,
  reason: FrameworkReason,
  evidence: Evidence,
  finishedAtMs: number,
  durationMs: number,
): ProbeResult {
  return {
    status: 'fail',
    reason,
    message: frameworkMessage(reason, evidence),
    subject: checkId,
    evidence,
    time: new Date(finishedAtMs).toISOString(),
    durationMs,
  };
}

/**
 * The reason's words, followed by the error when there is one: the message becomes the fault's detail, which is
 * what `check`, `status`, the page and the desk show, so "the probe threw" alone would hide why.
 */
function frameworkMessage(reason: FrameworkReason, evidence: Evidence): Text {
  const base = FRAMEWORK_REASONS[reason];
  const error = typeof evidence.error === 'string' && evidence.error.trim() ? redactCredentials(evidence.error.trim()) : null;
  if (!error) return { zh: base.zh, en: base.en };
  return { zh: `${base.zh}：${error}`, en: `${base.en}: ${error}` };
}

/**
 * Error texts come from our own code, which never puts a secret's value in a message (a Secret prints
 * "[redacted]"); a URL with a password in it (a proxy, a CRL mirror) is the one way one could still slip in.
 */
export function redactCredentials(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/[^\s:@/]*):[^\s@/]*@/gi, '$1:[redacted]@');
}
