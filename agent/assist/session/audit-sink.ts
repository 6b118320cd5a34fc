/**
 * Where the session layer records each step. The audit log (agent/assist/audit, `AuditLog.append`) fits this shape;
 * the session layer takes the interface so it neither waits for nor depends on how records are made durable.
 */
export type AuditKind = 'request' | 'policy-refused' | 'consent' | 'session-start' | 'session-end';

export interface AuditSink {
  append(kind: AuditKind, fields: Record<string, unknown>): void | Promise<void>;
}

/** The audit log as the session layer's sink: fields left undefined (an optional detail) are not recorded. */
export function auditSinkOf(log: { append(kind: AuditKind, fields: Record<string, string | number | boolean | null | string[]>): Promise<unknown> }): AuditSink {
  return {
    append: async (kind, fields) => {
      const defined = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
      await log.append(kind, defined as Record<string, string | number | boolean | null | string[]>);
    },
  };
}
