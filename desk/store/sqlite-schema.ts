import type Database from 'better-sqlite3';
import { ENROLL_SCHEMA } from './enroll-schema.js';
import { NOTIFY_SCHEMA } from './notify-schema.js';
import { TICKET_SCHEMA } from '../tickets/ticket-schema.js';

/**
 * The SQLite schema. Times are ISO-8601 UTC strings (they sort as text). One row per fault occurrence in `faults`:
 * its current state, and the timestamps the service figures come from.
 *
 * Version 2: occurrences are keyed by (agent, id) — ids are chosen by agents, so two agents may use the same one —
 * and agents carry their quota counters and the last limit the desk applied to them.
 *
 * Version 3: remote assistance — the engineers' requests (`assist_requests`), each agent's audit records as it sent
 * them (`audit_records`, with the desk's view of the chain), and `faults.origin`: 'desk' for occurrences the desk
 * raises itself (a broken audit chain), which no agent snapshot resolves and no agent quota counts.
 *
 * Version 4: notifications — the faults' change feed (triggers), the per-occurrence plan and the outbox
 * (notify-schema.ts); enrollment codes, issued certificates and revocations (enroll-schema.ts); the hotline's tickets
 * and their steps (tickets/ticket-schema.ts). Only the tables and triggers are new: a version 3 database needs nothing but SCHEMA. Changes
 * before the upgrade are not in the feed, so old occurrences are never notified or escalated all at once.
 */
export const SCHEMA_VERSION = 4;

/** The column version 3 added to `faults`: who raised the occurrence, the agent (nearly always) or the desk. */
const FAULT_V3_COLUMNS = [`origin TEXT NOT NULL DEFAULT 'agent'`];

const faultsTable = (name: string) => `
CREATE TABLE IF NOT EXISTS ${name} (
  agent_id TEXT NOT NULL, id TEXT NOT NULL,
  fault_key TEXT NOT NULL, code TEXT NOT NULL,
  severity TEXT NOT NULL, max_severity TEXT NOT NULL, state TEXT NOT NULL,
  subject TEXT NOT NULL, check_id TEXT NOT NULL, title_zh TEXT NOT NULL, title_en TEXT NOT NULL,
  body TEXT NOT NULL, body_seq INTEGER NOT NULL,
  detected_at TEXT NOT NULL, received_at TEXT NOT NULL,
  acknowledged_at TEXT, acknowledged_by TEXT,
  resolved_at TEXT, resolved_inferred INTEGER NOT NULL DEFAULT 0,
  receipt_seconds REAL NOT NULL, response_seconds REAL, resolve_seconds REAL,
  updated_at TEXT NOT NULL,
  ${FAULT_V3_COLUMNS.join(',\n  ')},
  PRIMARY KEY (agent_id, id)
);`;

/** The columns version 2 added to `agents`. */
const AGENT_LIMIT_COLUMNS = [
  'quota_day TEXT',
  'quota_bytes INTEGER NOT NULL DEFAULT 0',
  'limited_kind TEXT',
  'limited_detail TEXT',
  'limited_at TEXT',
  'limited_count INTEGER NOT NULL DEFAULT 0',
];

export const SCHEMA = `
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
  first_seen TEXT NOT NULL,
  ${AGENT_LIMIT_COLUMNS.join(',\n  ')}
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
CREATE INDEX IF NOT EXISTS events_agent_fault ON events(agent_id, fault_id);
${faultsTable('faults')}
CREATE INDEX IF NOT EXISTS faults_id ON faults(id);
CREATE INDEX IF NOT EXISTS faults_agent_state ON faults(agent_id, state);
CREATE INDEX IF NOT EXISTS faults_detected ON faults(detected_at);
CREATE TABLE IF NOT EXISTS acknowledgements (
  id INTEGER PRIMARY KEY,
  fault_id TEXT NOT NULL, agent_id TEXT NOT NULL, fault_key TEXT NOT NULL,
  by TEXT NOT NULL, note TEXT, at TEXT NOT NULL,
  delivered_at TEXT, outcome TEXT
);
CREATE INDEX IF NOT EXISTS acks_pending ON acknowledgements(agent_id, delivered_at);
CREATE INDEX IF NOT EXISTS acks_agent_fault ON acknowledgements(agent_id, fault_id);
CREATE TABLE IF NOT EXISTS tokens (
  name TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL, last_used_at TEXT, revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS assist_requests (
  id TEXT PRIMARY KEY, agent_id TEXT NOT NULL,
  engineer TEXT NOT NULL, organisation TEXT, ticket TEXT, reason TEXT NOT NULL,
  kinds TEXT NOT NULL, duration_minutes INTEGER NOT NULL, forward_targets TEXT NOT NULL,
  created_at TEXT NOT NULL,
  session_id TEXT, state TEXT NOT NULL, state_at TEXT NOT NULL,
  refusal_reason TEXT, refusal_detail TEXT, approved_by TEXT, denied_by TEXT,
  started_at TEXT, ends_at TEXT, ended_at TEXT, end_cause TEXT, ended_by TEXT, end_requested_by TEXT
);
CREATE INDEX IF NOT EXISTS assist_agent ON assist_requests(agent_id, created_at);
CREATE INDEX IF NOT EXISTS assist_state ON assist_requests(state);
CREATE TABLE IF NOT EXISTS audit_records (
  id INTEGER PRIMARY KEY,
  agent_id TEXT NOT NULL, seq INTEGER NOT NULL, at TEXT NOT NULL, kind TEXT NOT NULL,
  line TEXT NOT NULL, line_hash TEXT NOT NULL, received_at TEXT NOT NULL, chain TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_agent_seq ON audit_records(agent_id, seq);
CREATE TABLE IF NOT EXISTS audit_breaks (
  id INTEGER PRIMARY KEY, agent_id TEXT NOT NULL, seq INTEGER, kind TEXT NOT NULL, message TEXT NOT NULL, at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_breaks_agent ON audit_breaks(agent_id, id);
${NOTIFY_SCHEMA}
${ENROLL_SCHEMA}
${TICKET_SCHEMA}`;

/** Version 1 → 2, in one transaction: the faults table re-keyed by (agent, id), the agents' limit columns added. */
function migrateFrom1(db: Database.Database): void {
  const columns = (db.prepare(`PRAGMA table_info(faults)`).all() as { name: string }[]).map((c) => c.name).join(', ');
  for (const col of AGENT_LIMIT_COLUMNS) db.exec(`ALTER TABLE agents ADD COLUMN ${col}`);
  db.exec(faultsTable('faults_v2'));
  db.exec(`INSERT INTO faults_v2 (${columns}) SELECT ${columns} FROM faults`);
  db.exec(`DROP TABLE faults; ALTER TABLE faults_v2 RENAME TO faults; DROP INDEX IF EXISTS events_fault; DROP INDEX IF EXISTS acks_fault;`);
}

/**
 * Version 2 → 3: the faults' origin column (the new tables come from SCHEMA). A database migrated from version 1 in
 * the same transaction has it already (its faults table was rebuilt with the current columns).
 */
function migrateFrom2(db: Database.Database): void {
  const have = new Set((db.prepare(`PRAGMA table_info(faults)`).all() as { name: string }[]).map((c) => c.name));
  for (const col of FAULT_V3_COLUMNS) if (!have.has(col.split(' ')[0]!)) db.exec(`ALTER TABLE faults ADD COLUMN ${col}`);
}

/**
 * Creates the schema in a new database or brings an older one up to this version; refuses a newer one (a desk
 * downgraded under its database must not write rows it does not understand).
 */
export function prepareSchema(db: Database.Database, path: string): void {
  const hasMeta = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'`).get() !== undefined;
  const stored = hasMeta ? (db.prepare(`SELECT value FROM meta WHERE key = 'schema'`).get() as { value: string } | undefined)?.value : undefined;
  const version = stored === undefined ? undefined : Number(stored);
  if (version !== undefined && version > SCHEMA_VERSION) throw new Error(`${path}: database schema ${version} is newer than this desk (${SCHEMA_VERSION})`);
  db.transaction(() => {
    if (version === 1) migrateFrom1(db);
    if (version !== undefined && version <= 2) migrateFrom2(db);
    db.exec(SCHEMA);
    db.prepare(`INSERT INTO meta (key, value) VALUES ('schema', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`).run(String(SCHEMA_VERSION));
  })();
}
