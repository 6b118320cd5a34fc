/**
 * Desk protocol constants: the version, the close codes each side uses when it ends a connection on purpose, and the
 * size limits. docs/protocol.md is generated from these and the message schemas (see render-docs.ts).
 */

/** Bumped when a message gains a required field or a field changes meaning; unknown optional fields are ignored. */
export const PROTOCOL_VERSION = 1;

/** The path the desk serves agents on. */
export const AGENT_PATH = '/agent';

/**
 * WebSocket close codes. 1000–1011 are the standard ones; 4000–4099 are this protocol's. A receiver that closes
 * because of its peer's message logs the reason and uses one of these; it never crashes.
 */
export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  tooBig: 1009,
  internalError: 1011,
  malformed: 4000,
  invalid: 4001,
  unknownType: 4002,
  outOfOrder: 4003,
  unsupportedVersion: 4004,
  helloTimeout: 4005,
  identityMismatch: 4006,
  replaced: 4007,
  revoked: 4010,
  // Closed by the agent when the desk misbehaves in ways that could cost it data or memory (DESK_PROTOCOL_VIOLATION):
  deskAhead: 4008,
  deskFlood: 4009,
  // Closed by the desk when one agent exceeds its limits (see DESK_LIMIT_DEFAULTS below):
  rateLimited: 4020,
  quotaReached: 4021,
} as const;

export type CloseCode = (typeof CLOSE)[keyof typeof CLOSE];

export const CLOSE_MEANING: Record<CloseCode, string> = {
  1000: 'normal close (the agent or desk is stopping on purpose)',
  1001: 'going away (the desk is shutting down); reconnect with backoff',
  1009: 'a frame was larger than the receiver accepts',
  1011: 'internal error on the desk (e.g. its database failed); nothing in flight was acknowledged',
  4000: 'malformed frame: not UTF-8 JSON, not an object, or no "type"',
  4001: 'invalid message: it does not match the schema of its type',
  4002: 'unknown message type for this direction, or a binary frame (reserved for assistance channels)',
  4003: 'out of order: the message is not allowed in the current state (e.g. events before hello, seq not increasing, ack beyond what was sent)',
  4004: 'unsupported protocol version',
  4005: 'no hello within the time allowed',
  4006: 'the agent id in hello differs from the one in the client certificate',
  4007: 'replaced by a newer connection of the same agent',
  4010: "closed by the desk: this agent's certificate was revoked (guardpost desk-cli revoke, or replaced when the terminal enrolled again); the agent raises AGENT_REVOKED and keeps retrying slowly until it is enrolled again",
  4008: "closed by the agent: the desk's hello says it committed seqs beyond the last seq this agent ever assigned; the agent keeps its outbox and raises DESK_PROTOCOL_VIOLATION",
  4009: 'closed by the agent: the desk sent frames faster than the agent handles them (more than DESK_FRAME_BURST at once, or DESK_FRAMES_PER_SECOND sustained)',
  // Desk limits (issue 12, desk side):
  4020: 'closed by the desk: rate limited — more events in flight than the policy\'s windowEvents, heartbeats faster than the policy\'s heartbeatSeconds, other frames faster than the desk takes them, or reconnecting more often than desk.json limits.connectsPerMinute allows; reconnect with backoff',
  4021: 'closed by the desk: a quota was reached (limits.maxOpenFaults open occurrences, or limits.bytesPerDay stored); what was sent is acknowledged and what is over the quota is not stored; the reason names which; sent at most once an hour, reconnect as usual',
};

/** The agent's limits on what a desk may send: a burst of frames, then a sustained rate (token bucket). */
export const DESK_FRAME_BURST = 500;
export const DESK_FRAMES_PER_SECOND = 100;
/** Desk frames received and waiting for their handler, at most, before the agent closes with 4009. */
export const DESK_FRAMES_QUEUED = 200;

/** Largest frame the desk accepts from an agent. Batches are built well below it. */
export const MAX_AGENT_FRAME_BYTES = 1024 * 1024;
/** Largest frame the agent accepts from the desk. */
export const MAX_DESK_FRAME_BYTES = 256 * 1024;
/** Agents build event batches up to this size (bytes of the events' JSON) unless the desk's policy says less. */
export const DEFAULT_BATCH_BYTES = 256 * 1024;
export const DEFAULT_BATCH_EVENTS = 200;
/** Events sent and not yet acknowledged, at most. */
export const DEFAULT_WINDOW_EVENTS = 1000;
export const MAX_BATCH_EVENTS = 1000;
export const MAX_SNAPSHOT_FAULTS = 5000;

/** What a v1 agent can do; the desk must not ask for anything else (e.g. it opens no channel without "assist"). */
export const AGENT_CAPABILITIES = ['snapshot', 'events', 'heartbeat', 'fault-ack'] as const;
/** Announced in hello as well only when the agent accepts assistance channels (an open handler is registered). */
export const ASSIST_CAPABILITY = 'assist';

/** Assistance kinds and session states, as the protocol carries them (agent/assist owns their meaning). */
export { ASSIST_KINDS } from '../../assist/policy/schema.js';
export const ASSIST_STATES = ['refused', 'pending', 'running', 'denied', 'timed-out', 'withdrawn', 'ended'] as const;
/** Audit lines per `audit` frame, and the longest line, at most. */
export const MAX_AUDIT_BATCH = 200;
export const MAX_AUDIT_LINE_BYTES = 8192;

export function agentCapabilities(assist: boolean): string[] {
  return assist ? [...AGENT_CAPABILITIES, ASSIST_CAPABILITY] : [...AGENT_CAPABILITIES];
}

/**
 * Desk limits (issue 12, desk side): the defaults of desk.json `limits`, sized for real terminals — a healthy agent
 * sends a few events a minute and one heartbeat per policy interval; a catch-up after days offline sends at most its
 * outbox (10,000 events, 8 MiB by default) in one burst. Here so the protocol document can state them.
 */
export const DESK_LIMIT_DEFAULTS = {
  /** Events per agent at full speed before the desk acknowledges more slowly (twice the default outbox). */
  eventBurst: 20_000,
  /** After the burst, acknowledgements keep an agent to this many events per second (it waits; nothing is dropped). */
  eventsPerSecond: 20,
  /** Open occurrences per agent (the most one snapshot can carry); new ones beyond it are refused (4021). */
  maxOpenFaults: MAX_SNAPSHOT_FAULTS,
  /** Bytes of events and new occurrences stored per agent per day (China Standard Time); beyond it refused (4021). */
  bytesPerDay: 64 * 1024 * 1024,
  /** Connections per agent at once, then per minute (more: closed with 4020 before hello). */
  connectBurst: 30,
  connectsPerMinute: 6,
} as const;
