import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import type { Severity } from '../../agent/core/severity.js';
import type { Text } from '../../agent/core/text.js';

/** Agent id of occurrences about the desk itself (a notification channel failing); it has no agents row. */
export const DESK_AGENT_ID = 'desk';

export interface DeskFaultInput {
  code: string;
  severity: Severity;
  /** What the fault is about, e.g. the channel's name: one open occurrence per (code, subject). */
  subject: string;
  title: Text;
  detail: Text;
  at: string;
}

/**
 * Occurrences the desk raises about itself (origin 'desk', agent DESK_AGENT_ID). They sit in the faults table so
 * engineers see them where they see every other fault, and they reach the notification planner like any other.
 */
export class SqliteDeskFaults {
  private readonly s;

  constructor(db: Database.Database) {
    this.s = {
      open: db.prepare(`SELECT id FROM faults WHERE agent_id = '${DESK_AGENT_ID}' AND origin = 'desk' AND code = ? AND subject = ? AND state != 'resolved' LIMIT 1`),
      update: db.prepare(`UPDATE faults SET body = ?, updated_at = ? WHERE agent_id = '${DESK_AGENT_ID}' AND id = ?`),
      insert: db.prepare(`INSERT INTO faults (id, agent_id, fault_key, code, severity, max_severity, state, subject, check_id, title_zh, title_en, body, body_seq,
          detected_at, received_at, receipt_seconds, updated_at, origin)
        VALUES (@id, '${DESK_AGENT_ID}', @key, @code, @severity, @severity, 'open', @subject, 'desk', @title_zh, @title_en, @body, 0, @at, @at, 0, @at, 'desk')`),
      resolve: db.prepare(`UPDATE faults SET state = 'resolved', resolved_at = @at,
          resolve_seconds = ROUND((julianday(@at) - julianday(detected_at)) * 86400, 1), updated_at = @at WHERE agent_id = '${DESK_AGENT_ID}' AND id = @id`),
    };
  }

  /** Opens the occurrence, or refreshes the detail of the one already open; returns its id. */
  raise(f: DeskFaultInput): string {
    const body = JSON.stringify({ detail: f.detail });
    const open = this.s.open.get(f.code, f.subject) as { id: string } | undefined;
    if (open) {
      this.s.update.run(body, f.at, open.id);
      return open.id;
    }
    const id = randomUUID();
    this.s.insert.run({ id, key: `desk:${f.code}:${f.subject}`, code: f.code, severity: f.severity, subject: f.subject, title_zh: f.title.zh, title_en: f.title.en, body, at: f.at });
    return id;
  }

  /** Resolves the open occurrence of (code, subject), if any; true when there was one. */
  resolve(code: string, subject: string, at: string): boolean {
    const open = this.s.open.get(code, subject) as { id: string } | undefined;
    if (!open) return false;
    this.s.resolve.run({ at, id: open.id });
    return true;
  }
}
