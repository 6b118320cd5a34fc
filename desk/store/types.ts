import type { Fault, FaultTransition } from '../../agent/core/faults/types.js';
import type { Severity } from '../../agent/core/severity.js';
import type { Heartbeat } from '../../agent/tunnel/protocol/messages.js';
import type { AssistStore, AuditIntake } from './assist-types.js';
import type { NotifyStore } from './notify-types.js';
import type { DeskFaultInput } from './sqlite-desk-faults.js';
import type { SqliteEnroll } from './sqlite-enroll.js';
import type { SqliteTickets } from '../tickets/ticket-store.js';
import type { QuotaKind, Refused } from './quota.js';

/**
 * The desk's storage, behind an interface so a PostgreSQL store can replace the embedded SQLite one for large fleets.
 * Writes arrive as ordered operations applied in one transaction (group commit); an agent's events are
 * acknowledged to it only after apply() returned.
 */

export interface AgentIdentity {
  id: string;
  site: { fixmedins_code: string; fixmedins_name: string; mdtrtarea_admvs: string; terminalId: string };
  profile: string;
  version: string;
  protocol: number;
  remote?: string;
}

export type Health = Heartbeat['health'];

export type IngestOp =
  | { kind: 'connected'; agent: AgentIdentity; connId: string; at: string }
  | { kind: 'disconnected'; agentId: string; connId: string; at: string; reason: string }
  | { kind: 'snapshot'; agentId: string; asOfSeq: number; faults: Fault[]; complete: boolean; agentAt: string; at: string }
  | { kind: 'events'; agentId: string; events: FaultTransition[]; at: string }
  | { kind: 'heartbeat'; agentId: string; health: Health; critical: Fault[]; at: string }
  | { kind: 'ack-delivered'; agentId: string; ackId: number; outcome: string; at: string }
  | { kind: 'limited'; agentId: string; limit: LimitKind; detail: string; count: number; at: string }
  | { kind: 'audit'; agentId: string; lines: string[]; at: string };

/**
 * For 'events': the agent's last committed seq after the op (what the desk acknowledges). For events, snapshots and
 * heartbeats: what the agent's quotas refused (not stored), by quota. For 'audit': what the frame did to the agent's
 * stored chain, and the seq to acknowledge.
 */
export type OpResult = { lastSeq?: number; inserted?: number; refused?: Refused; audit?: AuditIntake };

/**
 * Why the desk limited an agent: acknowledgements slowed (events-rate), closed with 4020 (window: more events in
 * flight than the policy allows; heartbeats or other frames too fast; connects too often), or refused by a quota
 * (4021: open-faults, bytes-per-day).
 */
export type LimitKind = 'events-rate' | 'window' | 'heartbeats' | 'frames' | 'connects' | QuotaKind;

export const LIMIT_KINDS: readonly LimitKind[] = ['events-rate', 'window', 'heartbeats', 'frames', 'connects', 'open-faults', 'bytes-per-day'];

/** The last limit the desk applied to an agent: what, why, when last, and how often since it began. */
export interface AgentLimited {
  kind: LimitKind;
  detail: string;
  at: string;
  count: number;
}

/** One occurrence: ids are the agents' own, so the agent is part of the key. */
export interface FaultRef {
  agentId: string;
  id: string;
}

/** An occurrence named by an engineer: found, not found, or matching several (names them). */
export type FaultLookup = { found: FaultRef } | { notFound: true } | { ambiguous: FaultRef[] };

export type FaultState = 'open' | 'acknowledged' | 'resolved';

export interface AgentRow {
  id: string;
  siteCode: string;
  siteName: string;
  admvs: string;
  terminalId: string;
  profile: string;
  version: string;
  online: boolean;
  connectedAt: string | null;
  disconnectedAt: string | null;
  disconnectReason: string | null;
  lastSeen: string | null;
  lastSeq: number;
  health: Health | null;
  healthAt: string | null;
  openFaults: Record<Severity, number>;
  /** The last limit the desk applied (null: never); recent means the agent is being throttled. */
  limited: AgentLimited | null;
}

export interface FaultRow {
  id: string;
  agentId: string;
  siteCode: string;
  siteName: string;
  key: string;
  code: string;
  severity: Severity;
  maxSeverity: Severity;
  state: FaultState;
  subject: string;
  checkId: string;
  title: { zh: string; en: string };
  detail: { zh: string; en: string };
  detectedAt: string;
  receivedAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  resolvedAt: string | null;
  /** Resolved because a later snapshot no longer had it; resolvedAt is then an upper bound. */
  resolvedInferred: boolean;
  receiptSeconds: number;
  responseSeconds: number | null;
  resolveSeconds: number | null;
}

export interface FaultQuery {
  severity?: Severity[];
  /** 'active' = open or acknowledged. */
  state?: (FaultState | 'active')[];
  site?: string;
  agent?: string;
  /** Detection time range (ISO). */
  since?: string;
  until?: string;
  limit?: number;
}

export interface AckRecord {
  id: number;
  faultId: string;
  agentId: string;
  faultKey: string;
  by: string;
  note: string | null;
  at: string;
  deliveredAt: string | null;
  outcome: string | null;
}

export interface TimelineEntry {
  at: string;
  what: 'event' | 'acknowledgement' | 'received' | 'notification';
  kind: string;
  seq?: number;
  by?: string;
  severity?: Severity;
  state?: string;
  note?: string | null;
  receivedAt?: string;
}

export interface DeskStore {
  /** Every event of this agent up to here is committed (0 for an unknown agent). */
  lastCommittedSeq(agentId: string): number;
  /**
   * Applies the operations in order, in one transaction; throws (nothing applied) on failure. `durable`: the commit
   * must survive a power cut before this returns (events, which are acknowledged to agents); otherwise it need only
   * survive a crash of the desk (heartbeats, presence: refreshed anyway) and is made durable by the next durable one.
   */
  apply(ops: IngestOp[], durable?: boolean): OpResult[];
  /** Agents still marked online from a previous run are offline now. */
  markAllOffline(at: string): void;
  acknowledge(fault: FaultRef, by: string, note: string | null, at: string): AckRecord | { error: 'not-found' | 'resolved' };
  pendingAcks(agentId: string): AckRecord[];
  listAgents(q?: { site?: string; online?: boolean }): AgentRow[];
  getFault(ref: FaultRef): FaultRow | undefined;
  /**
   * The occurrence an engineer means: an id or a unique prefix of one (tables show 8 characters), optionally
   * qualified by its agent as AGENT:ID when agents share an id.
   */
  findFault(text: string): FaultLookup;
  listFaults(q: FaultQuery): FaultRow[];
  timeline(ref: FaultRef): { fault: FaultRow; entries: TimelineEntry[] } | undefined;
  /** Occurrences detected in [from, to), for the monthly report. */
  occurrences(from: string, to: string): FaultRow[];
  createToken(name: string, at: string): string;
  revokeToken(name: string, at: string): boolean;
  listTokens(): { name: string; createdAt: string; lastUsedAt: string | null; revokedAt: string | null }[];
  /** The engineer's name for a valid token, or null. */
  verifyToken(token: string, at: string): string | null;
  /** Remote assistance: requests and the agents' audit records. */
  readonly assist: AssistStore;
  /** Notifications: the faults' change feed, the plan and the outbox. */
  readonly notify: NotifyStore;
  /** Occurrences the desk raises about itself (a notification channel failing). */
  /** Enrollment codes, issued certificates, revocations. */
  readonly enroll: Pick<SqliteEnroll, 'createCode' | 'lookup' | 'redeem' | 'record' | 'revokeAgent' | 'refusal' | 'certs'>;
  /** The hotline's tickets: one per fault occurrence, and those opened by hand for a call. */
  readonly tickets: SqliteTickets;
  readonly deskFaults: { raise(f: DeskFaultInput): string; resolve(code: string, subject: string, at: string): boolean };
  close(): void;
}
