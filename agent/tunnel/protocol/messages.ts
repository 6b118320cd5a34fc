import { Type, type Static, type TObject } from '../../core/schema/type.js';
import { AGENT_CAPABILITIES, ASSIST_CAPABILITY, ASSIST_KINDS, ASSIST_STATES, MAX_AUDIT_BATCH, MAX_AUDIT_LINE_BYTES, MAX_BATCH_EVENTS, MAX_SNAPSHOT_FAULTS, PROTOCOL_VERSION } from './constants.js';
import { DATE_TIME_PATTERN, DateTime, FaultSchema, Seq, SeqOrZero, TransitionSchema } from './fault-schema.js';

/**
 * Every message of the desk protocol, one JSON Schema each, keyed by direction and `type`. Frames are UTF-8 JSON
 * text; binary frames are reserved for assistance channel data. Both sides validate every frame they receive.
 */

const msg = <T extends string, P extends Record<string, any>>(type: T, description: string, props: P) =>
  Type.Object({ type: Type.Literal(type), ...props }, { description });

const Site = Type.Object({
  fixmedins_code: Type.String({ maxLength: 32 }),
  fixmedins_name: Type.String({ maxLength: 200 }),
  mdtrtarea_admvs: Type.String({ maxLength: 16 }),
  terminalId: Type.String({ maxLength: 64 }),
});

const Channel = Type.Integer({ minimum: 1, maximum: 2 ** 31 - 1, description: 'channel number, chosen by the opener' });

const credit = (description: string) => Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1, description });

/**
 * Multiplexed assistance channels, both directions (agent/tunnel/channels). The agent opens even channel numbers,
 * the desk odd ones. Bytes flow only within credit the receiver granted; bulk data travels as binary frames (a
 * 4-byte big-endian channel number, then the payload). An agent without assistance answers channel-open with
 * channel-close "not_supported".
 */
const channelMessages = {
  'channel-open': msg('channel-open', 'open a multiplexed assistance channel; agents without the "assist" capability answer channel-close "not_supported"', {
    channel: Channel,
    kind: Type.String({ minLength: 1, maxLength: 64, description: 'what the channel carries, for the receiver\'s open handler (e.g. "diag", "shell", "forward")' }),
    session: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,128}$', description: 'the assistance session the channel belongs to; ending the session closes all its channels at once' })),
    credit: Type.Optional(credit('bytes the receiver may send once it accepts, before waiting for channel-credit (default 0)')),
    by: Type.Optional(Type.String({ maxLength: 256, description: 'the engineer asking' })),
    purpose: Type.Optional(Type.String({ maxLength: 1024 })),
    params: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String({ maxLength: 1024 }), Type.Number(), Type.Boolean()]), { maxProperties: 32, propertyNames: { maxLength: 64 } })),
  }),
  'channel-accept': msg('channel-accept', 'the channel is open (the receiver\'s open handler accepted it)', {
    channel: Channel,
    credit: credit('bytes the opener may send before waiting for channel-credit'),
  }),
  'channel-data': msg('channel-data', 'bytes on a channel, text form (binary frames carry the same: a 4-byte big-endian channel number, then the bytes); counted against credit like binary data', {
    channel: Channel,
    data: Type.String({ maxLength: 87384, contentEncoding: 'base64' }),
  }),
  'channel-credit': msg('channel-credit', 'flow control: the receiver consumed bytes and can take this many more; data beyond credit closes the channel "credit_exceeded"', {
    channel: Channel,
    bytes: Type.Integer({ minimum: 1, maximum: 2 ** 31 - 1 }),
  }),
  'channel-close': msg('channel-close', 'the channel is closed, or was refused; the reason is one of the channel close reasons listed above', {
    channel: Channel,
    reason: Type.String({ maxLength: 64, pattern: '^[a-z_]+$', description: 'a channel close reason, e.g. "done", "denied", "not_supported", "credit_exceeded"' }),
  }),
};

const SessionId = Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,128}$', description: "the agent's id of an assistance session" });
const RequestId = Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,128}$', description: "the desk's id of an assistance request, echoed in every assist-state about it" });
const AssistKind = Type.Union(ASSIST_KINDS.map((k) => Type.Literal(k)));
const AssistState = Type.Union(ASSIST_STATES.map((k) => Type.Literal(k)));

/**
 * Remote-assistance sessions (agent/assist). The desk can only ask: the agent's policy decides first, then its operator
 * (or a maintenance window its owner wrote). The agent tells every change of a session in assist-state; channels of a
 * running session name it in channel-open.session.
 */
const assistDeskMessages = {
  'assist-request': msg('assist-request', "an engineer asks for a session; the agent answers assist-state (refused, pending, then running / denied / timed-out)", {
    request: RequestId,
    engineer: Type.String({ minLength: 1, maxLength: 128, description: 'who asks, shown to the operator and recorded in the audit' }),
    organisation: Type.Optional(Type.String({ maxLength: 128 })),
    ticket: Type.Optional(Type.String({ maxLength: 64, description: 'the ticket or work-order number' })),
    reason: Type.String({ minLength: 1, maxLength: 500 }),
    kinds: Type.Array(AssistKind, { minItems: 1, maxItems: ASSIST_KINDS.length, uniqueItems: true }),
    durationMinutes: Type.Integer({ minimum: 1, maximum: 1440 }),
    forwardTargets: Type.Optional(Type.Array(Type.String({ minLength: 3, maxLength: 260 }), { maxItems: 16, uniqueItems: true, description: 'host:port targets a forward session will reach; each must be on the agent\'s allowlist' })),
  }),
  'assist-end': msg('assist-end', 'the engineer ends a running session or withdraws a pending request; every channel of it closes', {
    session: SessionId,
    reason: Type.Optional(Type.String({ maxLength: 256 })),
  }),
  'audit-ack': msg('audit-ack', "every audit record up to upToSeq is stored at the desk; the agent sends from the next one on", {
    upToSeq: Type.Integer({ minimum: 0 }),
  }),
};

const assistAgentMessages = {
  'assist-state': msg('assist-state', 'a session changed state (the answer to assist-request, and every change after it)', {
    session: SessionId,
    request: Type.Optional(RequestId),
    state: AssistState,
    at: DateTime,
    engineer: Type.String({ maxLength: 128 }),
    kinds: Type.Array(AssistKind, { maxItems: ASSIST_KINDS.length }),
    refusal: Type.Optional(Type.Object({ reason: Type.String({ maxLength: 64 }), detail: Type.String({ maxLength: 1024 }) })),
    approvedBy: Type.Optional(Type.String({ maxLength: 128, description: 'local-page, local-cli, or window:<name>' })),
    deniedBy: Type.Optional(Type.String({ maxLength: 128 })),
    endsAt: Type.Optional(DateTime),
    endCause: Type.Optional(Type.String({ maxLength: 32, description: 'operator, engineer, expiry, idle, connection-lost or agent-stopping' })),
    endedBy: Type.Optional(Type.String({ maxLength: 128 })),
  }),
  audit: msg('audit', "audit records (agent/assist/audit), in order, each the exact line of the agent's hash-chained log, from the one after the desk hello's lastAuditSeq; at least once, acknowledged by audit-ack", {
    lines: Type.Array(Type.String({ maxLength: MAX_AUDIT_LINE_BYTES }), { minItems: 1, maxItems: MAX_AUDIT_BATCH }),
  }),
};

export const agentMessages = {
  hello: msg('hello', 'agent hello: first frame after the WebSocket opens', {
    protocol: Type.Integer({ minimum: 1, description: `protocol version the agent speaks (this document: ${PROTOCOL_VERSION})` }),
    agentId: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,128}$', description: 'must equal the client certificate CN' }),
    agentVersion: Type.String({ maxLength: 64 }),
    capabilities: Type.Array(Type.String({ maxLength: 32 }), { maxItems: 32, description: `v1 agents: ${AGENT_CAPABILITIES.join(', ')}, and ${ASSIST_CAPABILITY} when they accept assistance channels` }),
    lastAckedSeq: Type.Integer({ minimum: 0, description: 'highest seq the agent saw acknowledged (informational)' }),
    seq: Type.Integer({ minimum: 0, description: 'highest seq the agent has assigned so far' }),
    site: Site,
    profile: Type.String({ maxLength: 32 }),
    sentAt: DateTime,
  }),
  snapshot: msg('snapshot', 'the complete set of active faults; sent right after desk hello on every connection, before any events', {
    asOfSeq: Type.Integer({ minimum: 0, description: 'the set reflects every transition up to this seq' }),
    at: DateTime,
    faults: Type.Array(FaultSchema, { maxItems: MAX_SNAPSHOT_FAULTS }),
    complete: Type.Optional(
      Type.Boolean({ description: 'false when the set was cut to fit one frame (most severe first): the desk then infers no resolutions from it' }),
    ),
  }),
  events: msg('events', 'fault transitions from the durable outbox, oldest first, seq strictly increasing across the connection', {
    events: Type.Array(TransitionSchema, { minItems: 1, maxItems: MAX_BATCH_EVENTS }),
  }),
  heartbeat: msg('heartbeat', "agent health; open critical faults are re-asserted so a desk that lost state relearns them", {
    at: DateTime,
    health: Type.Object({
      rssBytes: Type.Integer({ minimum: 0 }),
      heapUsedBytes: Type.Integer({ minimum: 0 }),
      cpuPercent: Type.Number({ minimum: 0, description: 'CPU used since the previous heartbeat, % of one core' }),
      uptimeSeconds: Type.Integer({ minimum: 0 }),
      outboxDepth: Type.Integer({ minimum: 0 }),
      outboxBytes: Type.Integer({ minimum: 0 }),
      oldestUndeliveredAgeSeconds: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
      evicted: Type.Integer({ minimum: 0, description: 'outbox transitions dropped by the caps, in total' }),
      storeWriteError: Type.Boolean(),
      checks: Type.Object({ total: Type.Integer({ minimum: 0 }), failing: Type.Integer({ minimum: 0 }) }),
      faults: Type.Object({ critical: Type.Integer({ minimum: 0 }), major: Type.Integer({ minimum: 0 }), minor: Type.Integer({ minimum: 0 }) }),
      inspection: Type.Optional(
        Type.Array(
          Type.Object({
            month: Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$' }),
            complete: Type.Boolean({ description: 'false while the month runs' }),
            pass: Type.Integer({ minimum: 0 }),
            fail: Type.Integer({ minimum: 0 }),
            na: Type.Integer({ minimum: 0 }),
            failed: Type.Array(Type.String({ maxLength: 128 }), { maxItems: 16, description: 'the failed items, "Item: subject"' }),
          }),
          { maxItems: 2, description: "the monthly inspection checklist's verdicts: this month so far, and last month (agent/report)" },
        ),
      ),
    }),
    critical: Type.Array(FaultSchema, { maxItems: 1000, description: 'open (or acknowledged) critical faults' }),
  }),
  renew: msg('renew', "the agent's certificate is near its end (desk.renewBeforeDays): a request for a new one, for a key pair the agent just made (only when the desk hello says canRenew)", {
    csr: Type.String({ minLength: 64, maxLength: 8192, description: 'PKCS#10 PEM, ECDSA P-256, CN = the agent id' }),
  }),
  'fault-ack-result': msg('fault-ack-result', 'what the agent did with a desk acknowledgement', {
    ackId: Type.Integer({ minimum: 1 }),
    outcome: Type.Union([Type.Literal('applied'), Type.Literal('already-acknowledged'), Type.Literal('not-open')]),
  }),
  ...assistAgentMessages,
  ...channelMessages,
};

export const deskMessages = {
  hello: msg('hello', 'desk hello: the answer to agent hello', {
    protocol: Type.Integer({ minimum: 1 }),
    deskTime: Type.String({ pattern: DATE_TIME_PATTERN, maxLength: 40, description: "the desk's clock; the agent derives its clock skew (CLOCK_SKEW)" }),
    lastCommittedSeq: Type.Integer({ minimum: 0, description: "every event of this agent up to here is committed; the agent resumes after it" }),
    lastAuditSeq: Type.Optional(Type.Integer({ minimum: 0, description: "every audit record of this agent up to here is stored; an agent with the assist capability sends its audit log from the next one (absent: 0)" })),
    canRenew: Type.Optional(Type.Boolean({ description: 'the desk answers renew with renewed or renew-refused (absent: it does not; the agent then never sends renew)' })),
    policy: Type.Object({
      heartbeatSeconds: Type.Integer({ minimum: 1, maximum: 3600 }),
      maxBatchEvents: Type.Integer({ minimum: 1, maximum: MAX_BATCH_EVENTS }),
      maxBatchBytes: Type.Integer({ minimum: 1024 }),
      windowEvents: Type.Integer({ minimum: 1, description: 'events in flight (sent, not acknowledged), at most' }),
    }),
  }),
  ack: msg('ack', 'cumulative acknowledgement: every event up to upToSeq is committed; the agent removes them from its outbox', {
    upToSeq: Seq,
  }),
  'fault-ack': msg('fault-ack', 'an engineer acknowledged a fault at the desk; the agent marks it acknowledged and shows it locally', {
    ackId: Type.Integer({ minimum: 1 }),
    faultId: Type.String({ minLength: 1, maxLength: 128 }),
    faultKey: Type.String({ minLength: 1, maxLength: 256 }),
    by: Type.String({ minLength: 1, maxLength: 256 }),
    at: DateTime,
    note: Type.Optional(Type.String({ maxLength: 1024 })),
  }),
  renewed: msg('renewed', "the answer to renew: the agent's new client certificate, used from its next connection (the old one stays valid until it expires)", {
    certPem: Type.String({ minLength: 64, maxLength: 16384 }),
    notAfter: DateTime,
  }),
  'renew-refused': msg('renew-refused', 'the answer to renew when the desk will not sign: why; the agent retries later and raises AGENT_CERT_EXPIRING', {
    reason: Type.String({ maxLength: 500 }),
  }),
  'heartbeat-ack': msg('heartbeat-ack', "the desk's answer to a heartbeat, with its clock (keeps the skew observation fresh)", {
    deskTime: DateTime,
  }),
  ...assistDeskMessages,
  ...channelMessages,
};

export type AgentMessageType = keyof typeof agentMessages;
export type DeskMessageType = keyof typeof deskMessages;
export type AgentMessage = { [K in AgentMessageType]: Static<(typeof agentMessages)[K]> }[AgentMessageType];
export type DeskMessage = { [K in DeskMessageType]: Static<(typeof deskMessages)[K]> }[DeskMessageType];
export type AgentHello = Static<(typeof agentMessages)['hello']>;
export type DeskHello = Static<(typeof deskMessages)['hello']>;
export type Heartbeat = Static<(typeof agentMessages)['heartbeat']>;
export type FaultAckMessage = Static<(typeof deskMessages)['fault-ack']>;
export type SnapshotMessage = Static<(typeof agentMessages)['snapshot']>;
export type EventsMessage = Static<(typeof agentMessages)['events']>;
export type AssistRequestMessage = Static<(typeof deskMessages)['assist-request']>;
export type AssistEndMessage = Static<(typeof deskMessages)['assist-end']>;
export type AssistStateMessage = Static<(typeof agentMessages)['assist-state']>;
export type AuditMessage = Static<(typeof agentMessages)['audit']>;
export type ChannelMessageType = keyof typeof channelMessages;
export const CHANNEL_TYPES = Object.keys(channelMessages) as ChannelMessageType[];
/** A channel message (the same schemas both ways). */
export type ChannelMessage = { [K in ChannelMessageType]: Static<(typeof channelMessages)[K]> }[ChannelMessageType];

export const MESSAGES: Record<'agent' | 'desk', Record<string, TObject>> = { agent: agentMessages, desk: deskMessages };
export { Seq, SeqOrZero };
