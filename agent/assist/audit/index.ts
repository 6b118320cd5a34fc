export { AuditLog, AUDIT_FILE, auditDirOf, type AuditRecovery } from './audit-log.js';
export { AUDIT_KINDS, CONSENT_OUTCOMES, isAuditKind, type AuditKind, type ConsentOutcome } from './kinds.js';
export { GENESIS, type AuditFields, type AuditRecord } from './record.js';
export { verifyAudit, verifyAuditText, type AuditProblem, type AuditVerdict } from './verify.js';
