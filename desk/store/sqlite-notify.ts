import type Database from 'better-sqlite3';
import type { ChannelHealth, NotifyFaultRow, NotifyStore, OutboxMessage, PlanInsert, PlanRow, PlanState } from './notify-types.js';

const BACKOFF_BASE_MS = 5_000;
const BACKOFF_MAX_MS = 10 * 60_000;

/** Wait before the n-th retry: 5 s, 10 s, 20 s … at most 10 min. */
export function backoffMs(attempts: number): number {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
}

const FAULT_SELECT = `SELECT f.agent_id AS agentId, f.id, f.code, f.severity, f.state, COALESCE(a.site_code, '') AS siteCode,
  COALESCE(a.site_name, '') AS siteName, f.title_zh AS titleZh, f.title_en AS titleEn, f.detected_at AS detectedAt, f.received_at AS receivedAt`;
const PLAN_SELECT = `SELECT agent_id AS agentId, fault_id AS faultId, step, channel, state, due_at AS dueAt, site_code AS siteCode, outbox_id AS outboxId FROM notify_plan`;

/** The embedded store's notification tables (notify-schema.ts). */
export class SqliteNotify implements NotifyStore {
  private readonly s;

  constructor(private readonly db: Database.Database) {
    this.s = {
      changes: db.prepare(`${FAULT_SELECT}, c.id AS changeId FROM fault_changes c JOIN faults f ON f.agent_id = c.agent_id AND f.id = c.fault_id
        LEFT JOIN agents a ON a.id = f.agent_id ORDER BY c.id LIMIT ?`),
      consume: db.prepare(`DELETE FROM fault_changes WHERE id <= ?`),
      fault: db.prepare(`${FAULT_SELECT}, 0 AS changeId FROM faults f LEFT JOIN agents a ON a.id = f.agent_id WHERE f.agent_id = ? AND f.id = ?`),
      plansOf: db.prepare(`${PLAN_SELECT} WHERE agent_id = ? AND fault_id = ? ORDER BY step, channel`),
      insertPlan: db.prepare(`INSERT OR IGNORE INTO notify_plan (agent_id, fault_id, step, channel, state, due_at, site_code, created_at, updated_at)
        VALUES (@agentId, @faultId, @step, @channel, @state, @dueAt, @siteCode, @now, @now)`),
      setPlan: db.prepare(`UPDATE notify_plan SET state = ?, updated_at = ? WHERE agent_id = ? AND fault_id = ? AND step = ? AND channel = ?`),
      queuePlan: db.prepare(`UPDATE notify_plan SET state = 'queued', outbox_id = ?, updated_at = ? WHERE agent_id = ? AND fault_id = ? AND step = ? AND channel = ?`),
      duePlans: db.prepare(`${PLAN_SELECT} WHERE state = ? AND due_at <= ? ORDER BY due_at LIMIT ?`),
      dueGroups: db.prepare(`${PLAN_SELECT} p WHERE state = 'waiting' AND EXISTS (SELECT 1 FROM notify_plan d WHERE d.state = 'waiting' AND d.due_at <= ?
        AND d.channel = p.channel AND d.site_code = p.site_code) ORDER BY channel, site_code, due_at LIMIT ?`),
      insertMessage: db.prepare(`INSERT INTO notify_outbox (channel, message, due_at, created_at) VALUES (?, ?, ?, ?)`),
      pendingOf: db.prepare(`SELECT id, channel, message, attempts, due_at AS dueAt FROM notify_outbox WHERE state = 'pending' AND channel = ? ORDER BY id LIMIT ?`),
      dueAll: db.prepare(`SELECT id, channel, message, attempts, due_at AS dueAt FROM notify_outbox WHERE state = 'pending' AND due_at <= ? ORDER BY due_at, id LIMIT ?`),
      channelsWithDue: db.prepare(`SELECT DISTINCT channel FROM notify_outbox WHERE state = 'pending' AND due_at <= ?`),
      sentSince: db.prepare(`SELECT COUNT(*) AS count, MIN(sent_at) AS oldest FROM notify_outbox WHERE channel = ? AND sent_at > ?`),
      sent: db.prepare(`UPDATE notify_outbox SET state = 'sent', sent_at = ?, attempts = attempts + 1, last_error = '' WHERE id = ?`),
      retry: db.prepare(`UPDATE notify_outbox SET attempts = attempts + 1, due_at = ?, last_error = ? WHERE id = ?`),
      failed: db.prepare(`UPDATE notify_outbox SET state = 'failed', attempts = attempts + 1, last_error = ? WHERE id = ?`),
      mergeInto: db.prepare(`UPDATE notify_outbox SET state = 'merged', merged_into = ? WHERE id = ? AND state = 'pending'`),
      health: db.prepare(`SELECT channel, SUM(state = 'pending') AS pending, SUM(state = 'failed') AS failed, SUM(state = 'sent') AS sent,
          SUM(state = 'merged') AS merged, MAX(sent_at) AS lastSentAt, MIN(CASE WHEN state = 'pending' THEN due_at END) AS oldestPendingAt,
          COALESCE((SELECT last_error FROM notify_outbox o2 WHERE o2.channel = o.channel AND o2.last_error <> '' ORDER BY o2.id DESC LIMIT 1), '') AS lastError
        FROM notify_outbox o GROUP BY channel ORDER BY channel`),
    };
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  changes(limit: number): NotifyFaultRow[] {
    return this.s.changes.all(limit) as NotifyFaultRow[];
  }

  consumeChanges(upToId: number): void {
    this.s.consume.run(upToId);
  }

  fault(agentId: string, faultId: string): NotifyFaultRow | undefined {
    return this.s.fault.get(agentId, faultId) as NotifyFaultRow | undefined;
  }

  plansOf(agentId: string, faultId: string): PlanRow[] {
    return this.s.plansOf.all(agentId, faultId) as PlanRow[];
  }

  insertPlans(rows: PlanInsert[], now: number): void {
    for (const row of rows) this.s.insertPlan.run({ ...row, now });
  }

  setPlanState(agentId: string, faultId: string, step: number, channel: string, state: PlanState, now: number): void {
    this.s.setPlan.run(state, now, agentId, faultId, step, channel);
  }

  duePlans(state: 'timer' | 'waiting', now: number, limit: number): PlanRow[] {
    return this.s.duePlans.all(state, now, limit) as PlanRow[];
  }

  dueGroups(now: number, limit: number): PlanRow[] {
    return this.s.dueGroups.all(now, limit) as PlanRow[];
  }

  enqueue(channel: string, message: string, plans: PlanRow[], now: number): number {
    const id = Number(this.s.insertMessage.run(channel, message, now, now).lastInsertRowid);
    for (const p of plans) this.s.queuePlan.run(id, now, p.agentId, p.faultId, p.step, p.channel);
    return id;
  }

  dueMessages(channel: string | undefined, now: number, limit: number): OutboxMessage[] {
    if (channel === undefined) return this.s.dueAll.all(now, limit) as OutboxMessage[];
    // In order: while the oldest is backing off, the ones behind it wait too (the receiver is unwell; order kept).
    const pending = this.s.pendingOf.all(channel, limit) as OutboxMessage[];
    const notYet = pending.findIndex((m) => m.dueAt > now);
    return notYet === -1 ? pending : pending.slice(0, notYet);
  }

  channelsWithDue(now: number): string[] {
    return (this.s.channelsWithDue.all(now) as { channel: string }[]).map((r) => r.channel);
  }

  sentSince(channel: string, since: number): { count: number; oldest: number | null } {
    return this.s.sentSince.get(channel, since) as { count: number; oldest: number | null };
  }

  markSent(id: number, now: number): void {
    this.s.sent.run(now, id);
  }

  markRetry(message: OutboxMessage, reason: string, now: number, retryAfterMs = 0): void {
    this.s.retry.run(now + Math.max(backoffMs(message.attempts + 1), retryAfterMs), reason.slice(0, 500), message.id);
  }

  markFailed(id: number, reason: string): void {
    this.s.failed.run(reason.slice(0, 500), id);
  }

  merge(channel: string, ids: number[], message: string, now: number): number {
    return this.transaction(() => {
      const id = Number(this.s.insertMessage.run(channel, message, now, now).lastInsertRowid);
      for (const old of ids) this.s.mergeInto.run(id, old);
      return id;
    });
  }

  health(): ChannelHealth[] {
    return this.s.health.all() as ChannelHealth[];
  }
}
