import { ASSIST_KINDS, ASSIST_STATES } from '../../agent/tunnel/protocol/constants.js';

/**
 * What the desk keeps of remote assistance: the engineers' requests (one row each, following the agent's answers),
 * and each agent's audit records as the agent sent them, with the desk's own view of the chain's continuity.
 */

export type AssistKind = (typeof ASSIST_KINDS)[number];

/** 'requested' until the agent answers; then the agent's own states (agent/assist/session). */
export const DESK_ASSIST_STATES = ['requested', ...ASSIST_STATES] as const;
export type DeskAssistState = (typeof DESK_ASSIST_STATES)[number];

/** States in which a request can still change: the agent has not answered, the operator is asked, or it runs. */
export const LIVE_STATES: ReadonlySet<DeskAssistState> = new Set(['requested', 'pending', 'running']);
export const isLive = (s: DeskAssistState) => LIVE_STATES.has(s);

/** Why the desk ended a request itself (the agent's causes are operator, engineer, expiry, idle, …). */
export const DESK_END_CAUSES = ['connection-lost', 'desk-restart'] as const;

export interface AssistRequestRow {
  /** The desk's id (a UUID), sent to the agent as assist-request.request. */
  id: string;
  agentId: string;
  /** The engineer's token name. */
  engineer: string;
  organisation: string | null;
  ticket: string | null;
  reason: string;
  kinds: AssistKind[];
  durationMinutes: number;
  forwardTargets: string[];
  createdAt: string;
  /** The agent's session id, once it answered. */
  sessionId: string | null;
  state: DeskAssistState;
  /** When the desk learned the current state. */
  stateAt: string;
  refusal: { reason: string; detail: string } | null;
  approvedBy: string | null;
  deniedBy: string | null;
  startedAt: string | null;
  endsAt: string | null;
  endedAt: string | null;
  endCause: string | null;
  endedBy: string | null;
  /** An engineer asked to end it (DELETE) before the agent had answered: sent as soon as it does. */
  endRequestedBy: string | null;
}

/** The fields a change may set (the id, agent and the request itself never change). */
export type AssistRequestPatch = Partial<Omit<AssistRequestRow, 'id' | 'agentId' | 'engineer' | 'organisation' | 'ticket' | 'reason' | 'kinds' | 'durationMinutes' | 'forwardTargets' | 'createdAt'>>;

export interface AssistRequestQuery {
  agent?: string;
  state?: DeskAssistState[];
  limit?: number;
}

/** 'ok': continues the chain; 'gap': seqs are missing before it; 'fork': it does not continue the stored chain. */
export type AuditChainMark = 'ok' | 'gap' | 'fork';

export interface AuditRecordRow {
  agentId: string;
  seq: number;
  at: string;
  kind: string;
  /** The exact line of the agent's log (its hash covers it). */
  line: string;
  receivedAt: string;
  chain: AuditChainMark;
}

/** A break in an agent's chain the desk found: which seq, and what. */
export interface AuditChainBreak {
  seq: number | null;
  kind: 'gap' | 'fork' | 'bad-hash' | 'malformed';
  message: string;
}

export interface AuditChainStatus {
  /** The highest seq stored (what desk hello says as lastAuditSeq). */
  lastSeq: number;
  records: number;
  /** No break was ever found for this agent. */
  intact: boolean;
  breaks: number;
  lastBreak: { at: string; seq: number | null; message: string } | null;
}

/** What one `audit` frame did. */
export interface AuditIntake {
  /** What to acknowledge: the seq of the frame's last record (stored, already held, or refused). */
  ackSeq: number;
  stored: number;
  duplicates: number;
  breaks: AuditChainBreak[];
}

/** The requests' part of the store; written directly (the API's and the sessions' writes are small). */
export interface AssistStore {
  createRequest(row: AssistRequestRow): void;
  updateRequest(id: string, patch: AssistRequestPatch): AssistRequestRow | undefined;
  getRequest(id: string): AssistRequestRow | undefined;
  /** A request by its id or a unique prefix of it (8 characters at least): found, none, or several. */
  findRequest(text: string): { found: AssistRequestRow } | { notFound: true } | { ambiguous: true };
  listRequests(q: AssistRequestQuery): AssistRequestRow[];
  /** Whether the desk ever heard of this agent. */
  agentExists(agentId: string): boolean;
  /** Requests a previous run of the desk left live are over now (their agents ended them when the tunnel dropped). */
  endLeftLive(at: string, cause: string): number;
  lastAuditSeq(agentId: string): number;
  auditRecords(agentId: string, after: number, limit: number): AuditRecordRow[];
  auditStatus(agentId: string): AuditChainStatus;
}
