// The desk's own notification outbox: a message is written here BEFORE any send, so a kill -9 loses nothing.
// Deduplicated per (fault occurrence, escalation step, channel) by the primary key; retried with exponential backoff.
// The table is created here (IF NOT EXISTS) so it rides on the desk's database without a schema version bump yet.
import type Database from 'better-sqlite3';

export const NOTIFY_OUTBOX_SCHEMA = `
CREATE TABLE IF NOT EXISTS notify_outbox (
  occurrence TEXT NOT NULL, step INTEGER NOT NULL, channel TEXT NOT NULL,
  message TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
  due_at INTEGER NOT NULL, last_error TEXT NOT NULL DEFAULT '', created_at INTEGER NOT NULL, sent_at INTEGER,
  PRIMARY KEY (occurrence, step, channel)
);
CREATE INDEX IF NOT EXISTS notify_outbox_due ON notify_outbox (state, due_at);
`;

export interface OutboxItem {
  occurrence: string;
  step: number;
  channel: string;
  message: string; // JSON of a NotifyMessage
  attempts: number;
}

export interface ChannelHealth {
  channel: string;
  pending: number;
  failed: number;
  sent: number;
  lastError: string;
}

const BACKOFF_BASE_MS = 5_000;
const BACKOFF_MAX_MS = 10 * 60_000;

export function backoffMs(attempts: number): number {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
}

export class NotifyOutbox {
  constructor(private readonly db: Database.Database) {
    db.exec(NOTIFY_OUTBOX_SCHEMA);
  }

  /** Queues one message; returns false when this (occurrence, step, channel) was already queued or sent. */
  enqueue(item: Omit<OutboxItem, 'attempts'>, now: number): boolean {
    const result = this.db
      .prepare('INSERT OR IGNORE INTO notify_outbox (occurrence, step, channel, message, due_at, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(item.occurrence, item.step, item.channel, item.message, now, now);
    return result.changes === 1;
  }

  /** Pending messages due by now, oldest first. */
  due(now: number, limit = 100): OutboxItem[] {
    return this.db
      .prepare("SELECT occurrence, step, channel, message, attempts FROM notify_outbox WHERE state = 'pending' AND due_at <= ? ORDER BY due_at, created_at LIMIT ?")
      .all(now, limit) as OutboxItem[];
  }

  markSent(item: Pick<OutboxItem, 'occurrence' | 'step' | 'channel'>, now: number): void {
    this.db
      .prepare("UPDATE notify_outbox SET state = 'sent', sent_at = ?, attempts = attempts + 1, last_error = '' WHERE occurrence = ? AND step = ? AND channel = ?")
      .run(now, item.occurrence, item.step, item.channel);
  }

  /** A retryable failure: due again after the backoff (or the receiver's Retry-After, when longer). */
  markRetry(item: Pick<OutboxItem, 'occurrence' | 'step' | 'channel' | 'attempts'>, reason: string, now: number, retryAfterMs = 0): void {
    const wait = Math.max(backoffMs(item.attempts + 1), retryAfterMs);
    this.db
      .prepare('UPDATE notify_outbox SET attempts = attempts + 1, due_at = ?, last_error = ? WHERE occurrence = ? AND step = ? AND channel = ?')
      .run(now + wait, reason, item.occurrence, item.step, item.channel);
  }

  /** A permanent failure (bad key, bad signature): kept, never retried, counted in the channel's health. */
  markFailed(item: Pick<OutboxItem, 'occurrence' | 'step' | 'channel'>, reason: string): void {
    this.db
      .prepare("UPDATE notify_outbox SET state = 'failed', attempts = attempts + 1, last_error = ? WHERE occurrence = ? AND step = ? AND channel = ?")
      .run(reason, item.occurrence, item.step, item.channel);
  }

  health(): ChannelHealth[] {
    return this.db
      .prepare(
        `SELECT channel,
           SUM(state = 'pending') AS pending, SUM(state = 'failed') AS failed, SUM(state = 'sent') AS sent,
           COALESCE((SELECT last_error FROM notify_outbox o2 WHERE o2.channel = o.channel AND o2.last_error <> ''
                     ORDER BY o2.created_at DESC LIMIT 1), '') AS lastError
         FROM notify_outbox o GROUP BY channel ORDER BY channel`,
      )
      .all() as ChannelHealth[];
  }
}
