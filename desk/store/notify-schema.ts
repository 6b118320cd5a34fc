/**
 * The notification tables (schema version 4).
 *
 * - `fault_changes`: a change feed filled by triggers in the same transaction as ingest, so the notification planner
 *   learns of every new occurrence and every state change without ingest calling it (a hung robot can never stall
 *   agents) and without trusting clocks (ids only grow). The planner deletes what it has planned, in the transaction
 *   that records the plan: each change is planned exactly once, across restarts and kill -9.
 * - `notify_plan`: what each occurrence is owed, one row per (occurrence, step, channel) — the deduplication key.
 *   Step 0 is the first notice, 1… the escalation steps, 1000 the "resolved" notice; channel '*' holds a step's timer
 *   or its verdict (silenced, unrouted) before channels are known.
 * - `notify_outbox`: messages written before any send, retried with backoff; rows merged into a summary by the rate
 *   limit point at it.
 */
export const NOTIFY_SCHEMA = `
CREATE TABLE IF NOT EXISTS fault_changes (
  id INTEGER PRIMARY KEY AUTOINCREMENT, agent_id TEXT NOT NULL, fault_id TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS fault_changes_insert AFTER INSERT ON faults
  BEGIN INSERT INTO fault_changes (agent_id, fault_id) VALUES (NEW.agent_id, NEW.id); END;
CREATE TRIGGER IF NOT EXISTS fault_changes_state AFTER UPDATE OF state ON faults WHEN OLD.state IS NOT NEW.state
  BEGIN INSERT INTO fault_changes (agent_id, fault_id) VALUES (NEW.agent_id, NEW.id); END;
CREATE TABLE IF NOT EXISTS notify_plan (
  agent_id TEXT NOT NULL, fault_id TEXT NOT NULL, step INTEGER NOT NULL, channel TEXT NOT NULL,
  state TEXT NOT NULL, due_at INTEGER NOT NULL, site_code TEXT NOT NULL DEFAULT '',
  outbox_id INTEGER, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
  PRIMARY KEY (agent_id, fault_id, step, channel)
);
CREATE INDEX IF NOT EXISTS notify_plan_due ON notify_plan (state, due_at);
CREATE INDEX IF NOT EXISTS notify_plan_group ON notify_plan (state, channel, site_code);
CREATE TABLE IF NOT EXISTS notify_outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT, channel TEXT NOT NULL, message TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0, due_at INTEGER NOT NULL,
  last_error TEXT NOT NULL DEFAULT '', created_at INTEGER NOT NULL, sent_at INTEGER, merged_into INTEGER
);
CREATE INDEX IF NOT EXISTS notify_outbox_due ON notify_outbox (state, channel, due_at);
CREATE INDEX IF NOT EXISTS notify_outbox_sent ON notify_outbox (channel, sent_at);
`;
