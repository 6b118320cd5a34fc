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
};

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
