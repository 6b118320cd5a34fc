// desk.db schema version 1 as the desk wrote it before occurrences were keyed by (agent, id): for the migration test.
// Copied from desk/store/sqlite-schema.ts at the commit that introduced the desk (b1f9dbd); do not change.
export const SCHEMA_V1 = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS agents (
  id TEXT PRIMARY KEY,
  site_code TEXT NOT NULL DEFAULT '', site_name TEXT NOT NULL DEFAULT '', admvs TEXT NOT NULL DEFAULT '',
  terminal_id TEXT NOT NULL DEFAULT '', profile TEXT NOT NULL DEFAULT '', version TEXT NOT NULL DEFAULT '',
  protocol INTEGER NOT NULL DEFAULT 0, remote TEXT,
  online INTEGER NOT NULL DEFAULT 0, conn_id TEXT,
  connected_at TEXT, disconnected_at TEXT, disconnect_reason TEXT, last_seen TEXT,
  last_seq INTEGER NOT NULL DEFAULT 0,
  state_seq INTEGER NOT NULL DEFAULT 0, state_at TEXT,
  health TEXT, health_at TEXT,
  first_seen TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS agents_site ON agents(site_code);
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY,
  agent_id TEXT NOT NULL, seq INTEGER NOT NULL,
  kind TEXT NOT NULL, at TEXT NOT NULL, detected_at TEXT NOT NULL, received_at TEXT NOT NULL,
  fault_id TEXT NOT NULL, fault_key TEXT NOT NULL, code TEXT NOT NULL, severity TEXT NOT NULL,
  body TEXT NOT NULL,
  UNIQUE (agent_id, seq)
);
CREATE INDEX IF NOT EXISTS events_fault ON events(fault_id);
CREATE TABLE IF NOT EXISTS faults (
  id TEXT PRIMARY KEY,
  agent_id TEXT NOT NULL, fault_key TEXT NOT NULL, code TEXT NOT NULL,
  severity TEXT NOT NULL, max_severity TEXT NOT NULL, state TEXT NOT NULL,
  subject TEXT NOT NULL, check_id TEXT NOT NULL, title_zh TEXT NOT NULL, title_en TEXT NOT NULL,
  body TEXT NOT NULL, body_seq INTEGER NOT NULL,
  detected_at TEXT NOT NULL, received_at TEXT NOT NULL,
  acknowledged_at TEXT, acknowledged_by TEXT,
  resolved_at TEXT, resolved_inferred INTEGER NOT NULL DEFAULT 0,
  receipt_seconds REAL NOT NULL, response_seconds REAL, resolve_seconds REAL,
  updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS faults_agent_state ON faults(agent_id, state);
CREATE INDEX IF NOT EXISTS faults_detected ON faults(detected_at);
CREATE TABLE IF NOT EXISTS acknowledgements (
  id INTEGER PRIMARY KEY,
  fault_id TEXT NOT NULL, agent_id TEXT NOT NULL, fault_key TEXT NOT NULL,
  by TEXT NOT NULL, note TEXT, at TEXT NOT NULL,
  delivered_at TEXT, outcome TEXT
);
CREATE INDEX IF NOT EXISTS acks_pending ON acknowledgements(agent_id, delivered_at);
CREATE INDEX IF NOT EXISTS acks_fault ON acknowledgements(fault_id);
CREATE TABLE IF NOT EXISTS tokens (
  name TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL, last_used_at TEXT, revoked_at TEXT
);
`;
