/**
 * What the audit log records: a closed list, so the desk and `guardpost audit` can rely on it. Records carry who,
 * what and how much — never a secret (no tokens, no PINs, no command output).
 */
export const AUDIT_KINDS = {
  request: 'an engineer asked for a session (engineer, organisation, kinds, reason, requested duration)',
  'policy-refused': "the agent's policy refused a request before anyone was asked (which rule)",
  consent: 'the decision on a request: approved-by-operator, approved-by-window (which window), denied or timed-out',
  'session-start': 'a session began (its id, kinds, engineer, expiry)',
  'session-end': 'a session ended, and by whom: operator, engineer, expiry, idle, tunnel drop or agent restart',
  'diag-action': 'a diagnostic action ran (action, arguments, result summary)',
  'shell-recording': "a shell's transcript was written (file, sha256, bytes, duration)",
  'forward-connection': 'a forwarded TCP connection ended (target, bytes each way, duration)',
} as const;

export type AuditKind = keyof typeof AUDIT_KINDS;

/** The outcomes of a consent record. */
export const CONSENT_OUTCOMES = ['approved-by-operator', 'approved-by-window', 'denied', 'timed-out'] as const;
export type ConsentOutcome = (typeof CONSENT_OUTCOMES)[number];

export function isAuditKind(s: unknown): s is AuditKind {
  return typeof s === 'string' && Object.hasOwn(AUDIT_KINDS, s);
}
