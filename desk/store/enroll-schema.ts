/**
 * Enrollment and identity tables (schema version 4, with the notification ones):
 * - `enroll_codes`: single-use, expiring codes scoped to a site; only a hash of each code is kept.
 * - `agent_certs`: every client certificate the desk issued (by enrollment, by hand, by renewal), by serial, so one
 *   can be revoked — and is, when the same terminal enrolls again (its identity is replaced, not duplicated).
 * - `agent_revocations`: agents revoked as a whole (desk-cli revoke AGENT): certificates the desk has no record of
 *   (issued before version 4) are refused for them too; an enrollment after the revocation is a new identity.
 */
export const ENROLL_SCHEMA = `
CREATE TABLE IF NOT EXISTS enroll_codes (
  code_hash TEXT PRIMARY KEY, site TEXT NOT NULL, created_by TEXT NOT NULL, created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL, used_at TEXT, used_by_agent TEXT, used_from TEXT
);
CREATE TABLE IF NOT EXISTS agent_certs (
  serial TEXT PRIMARY KEY, agent_id TEXT NOT NULL, via TEXT NOT NULL, issued_at TEXT NOT NULL, not_after TEXT NOT NULL,
  revoked_at TEXT, revoked_by TEXT, revoke_reason TEXT
);
CREATE INDEX IF NOT EXISTS agent_certs_agent ON agent_certs (agent_id);
CREATE TABLE IF NOT EXISTS agent_revocations (
  agent_id TEXT PRIMARY KEY, revoked_at TEXT NOT NULL, revoked_by TEXT NOT NULL
);
`;
