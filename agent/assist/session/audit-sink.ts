/**
 * Where the session layer records each step. The audit log (agent/assist/audit, `AuditLog.append`) fits this shape;
 * the session layer takes the interface so it neither waits for nor depends on how records are made durable.
 */
export type AuditKind = 'request' | 'policy-refused' | 'consent' | 'session-start' | 'session-end';

export interface AuditSink {
  append(kind: AuditKind, fields: Record<string, unknown>): void | Promise<void>;
}
