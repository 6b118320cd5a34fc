import type { Severity } from '../../agent/core/severity.js';

/** An occurrence as the notification planner needs it (a change-feed entry joined with its row). */
export interface NotifyFaultRow {
  changeId: number;
  agentId: string;
  id: string;
  code: string;
  severity: Severity;
  state: 'open' | 'acknowledged' | 'resolved';
  siteCode: string;
  siteName: string;
  titleZh: string;
  titleEn: string;
  detectedAt: string;
  receivedAt: string;
}

/**
 * What a plan row is: a step's timer waiting for its time ('timer'), fired or stopped by an acknowledgement or
 * resolution; a message waiting for its site's grouping window ('waiting'), then in the outbox ('queued') or
 * dropped because the fault resolved inside the window ('cancelled'); or a verdict with no message ('silenced',
 * 'unrouted').
 */
export type PlanState = 'timer' | 'fired' | 'stopped' | 'waiting' | 'queued' | 'cancelled' | 'silenced' | 'unrouted';

export interface PlanRow {
  agentId: string;
  faultId: string;
  step: number;
  channel: string;
  state: PlanState;
  dueAt: number;
  siteCode: string;
  outboxId: number | null;
}

export type PlanInsert = Omit<PlanRow, 'outboxId'>;

export interface OutboxMessage {
  id: number;
  channel: string;
  message: string; // JSON of a NotifyMessage
  attempts: number;
  dueAt: number;
}

export interface ChannelHealth {
  channel: string;
  pending: number;
  failed: number;
  sent: number;
  /** Messages merged into a summary by the rate limit. */
  merged: number;
  lastError: string;
  lastSentAt: number | null;
  /** Due time of the oldest pending message (ms since epoch), or null. */
  oldestPendingAt: number | null;
}

/**
 * Notification state in the desk's database: the change feed, the plan and the outbox. Synchronous like the rest
 * of the embedded store; `transaction` makes a planning pass or a merge atomic.
 */
export interface NotifyStore {
  transaction<T>(fn: () => T): T;
  /** The oldest unplanned changes, each joined with its occurrence's current row. */
  changes(limit: number): NotifyFaultRow[];
  /** Forgets the changes up to and including this id (they are planned). */
  consumeChanges(upToId: number): void;
  fault(agentId: string, faultId: string): NotifyFaultRow | undefined;
  plansOf(agentId: string, faultId: string): PlanRow[];
  /** Inserts plan rows; rows whose (occurrence, step, channel) exists are left alone (dedup). */
  insertPlans(rows: PlanInsert[], now: number): void;
  setPlanState(agentId: string, faultId: string, step: number, channel: string, state: PlanState, now: number): void;
  duePlans(state: 'timer' | 'waiting', now: number, limit: number): PlanRow[];
  /** Waiting rows of the (channel, site) groups that have one due by now. */
  dueGroups(now: number, limit: number): PlanRow[];
  /** Writes one message to the outbox and points the plan rows at it (state 'queued'). */
  enqueue(channel: string, message: string, plans: PlanRow[], now: number): number;
  // The outbox.
  /** A channel's pending messages in the order queued, up to the first that is not due yet. */
  dueMessages(channel: string | undefined, now: number, limit: number): OutboxMessage[];
  channelsWithDue(now: number): string[];
  sentSince(channel: string, since: number): { count: number; oldest: number | null };
  markSent(id: number, now: number): void;
  markRetry(message: OutboxMessage, reason: string, now: number, retryAfterMs?: number): void;
  markFailed(id: number, reason: string): void;
  /** Replaces pending messages by one summary; returns the summary's id. */
  merge(channel: string, ids: number[], message: string, now: number): number;
  health(): ChannelHealth[];
}
