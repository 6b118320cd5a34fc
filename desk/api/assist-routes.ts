import { Type, type Static } from '../../agent/core/schema/type.js';
import { ASSIST_KINDS } from '../../agent/tunnel/protocol/constants.js';
import { DESK_ASSIST_STATES, type AssistRequestRow, type AuditChainStatus, type AuditRecordRow } from '../store/assist-types.js';
import { AgentId, Enum, ErrorSchema, Instant, ListOf, Nullable, strict, type DeskRouteSpec } from './common-schemas.js';

/**
 * The remote-assistance routes of the engineer API (registered by assist-api.ts, rendered into docs/api.md with the
 * others): requests, their long poll, ending them, the agents' audit records, and the WebSocket an engineer
 * attaches to a running session's channels with.
 */

const AUTH = 'Authorization: Bearer TOKEN, from `guardpost desk-cli token create NAME` (else 401); the name is recorded as the engineer';

/** Longest reason and ticket, as the protocol carries them (assist-request). */
export const MAX_REASON_LENGTH = 500;
export const MAX_TICKET_LENGTH = 64;
/** Most requests one list returns, and audit records one page. */
export const MAX_REQUESTS_LIMIT = 1000;
export const MAX_AUDIT_LIMIT = 5000;
export const DEFAULT_DURATION_MINUTES = 30;

const Kind = Enum(ASSIST_KINDS);

export const AssistRequestSchema = Type.Object({
  id: Type.String({ description: "the desk's id of the request (a UUID); desk-cli takes its first 8 characters too" }),
  agentId: Type.String(),
  engineer: Type.String({ description: "the token name of the engineer who asked; only they may attach to the session's channels" }),
  organisation: Nullable(Type.String({ description: 'desk.json `organisation`, shown to the operator' })),
  ticket: Nullable(Type.String()),
  reason: Type.String(),
  kinds: Type.Array(Kind),
  durationMinutes: Type.Integer(),
  forwardTargets: Type.Array(Type.String()),
  createdAt: Instant,
  sessionId: Nullable(Type.String({ description: "the agent's session id, once it answered" })),
  state: Enum(DESK_ASSIST_STATES, '`requested` until the agent answers; then refused, pending (its operator is asked), running, denied, timed-out, withdrawn or ended'),
  stateAt: Instant,
  refusal: Nullable(Type.Object({ reason: Type.String({ description: "the agent's policy rule" }), detail: Type.String() })),
  approvedBy: Nullable(Type.String({ description: 'local-page, local-cli, or window:NAME (a maintenance window the terminal\'s owner wrote)' })),
  deniedBy: Nullable(Type.String()),
  startedAt: Nullable(Instant),
  endsAt: Nullable(Instant),
  endedAt: Nullable(Instant),
  endCause: Nullable(Type.String({ description: "the agent's (operator, engineer, expiry, idle, connection-lost, agent-stopping) or the desk's (connection-lost, desk-restart)" })),
  endedBy: Nullable(Type.String()),
  endRequestedBy: Nullable(Type.String({ description: 'the engineer who asked the desk to end it' })),
});

export const AuditRecordSchema = Type.Object({
  agentId: Type.String(),
  seq: Type.Integer(),
  at: Instant,
  kind: Type.String({ description: 'request, policy-refused, consent, session-start, session-end, diag-action, shell-recording, forward-connection' }),
  line: Type.String({ description: "the exact line of the agent's hash-chained log (`guardpost audit verify` checks the same chain)" }),
  receivedAt: Instant,
  chain: Enum(['ok', 'gap', 'fork'] as const, 'ok: continues the stored chain; gap: records are missing before it; fork: it does not continue the stored chain'),
});

export const AuditChainStatusSchema = Type.Object({
  lastSeq: Type.Integer({ description: 'the highest seq stored (desk hello says it as lastAuditSeq)' }),
  records: Type.Integer(),
  intact: Type.Boolean({ description: 'no break was ever found for this agent' }),
  breaks: Type.Integer({ description: 'gaps, forks and refused lines (bad hash), in total' }),
  lastBreak: Nullable(Type.Object({ at: Instant, seq: Nullable(Type.Integer()), message: Type.String() })),
});

const errors = { 400: ErrorSchema, 401: ErrorSchema };
const RequestIdParams = Type.Object(
  { id: Type.String({ pattern: '^[0-9A-Fa-f-]{8,36}$', examples: ['3f2a9c1e'], description: 'a request id, or a unique prefix of it (8 characters at least)' }) },
  strict,
);
const AgentParams = Type.Object({ agent: AgentId() }, strict);

export const ASSIST_ROUTES = {
  assistRequest: {
    method: 'POST',
    url: '/api/v1/agents/:agent/assist',
    summary: "asks the agent for a remote-assistance session; its policy, then its operator decide (follow the request's state)",
    auth: AUTH,
    schema: {
      params: AgentParams,
      body: Type.Object(
        {
          kinds: Type.Array(Kind, { minItems: 1, maxItems: ASSIST_KINDS.length, uniqueItems: true, description: 'what the session may do' }),
          reason: Type.String({ minLength: 1, maxLength: MAX_REASON_LENGTH, description: 'shown to the operator and recorded in the audit' }),
          ticket: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_TICKET_LENGTH, description: 'the ticket or work-order number' })),
          durationMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 1440, default: DEFAULT_DURATION_MINUTES, description: "how long; the agent's policy caps it" })),
          forwardTargets: Type.Optional(
            Type.Array(Type.String({ minLength: 3, maxLength: 260 }), { maxItems: 16, uniqueItems: true, description: "host:port a forward will reach; each must be on the agent's allowlist" }),
          ),
        },
        strict,
      ),
      response: {
        202: Type.Object({ request: AssistRequestSchema }),
        ...errors,
        404: ErrorSchema,
        409: Type.Object({ error: Type.String({ description: 'the agent is offline, still connecting, or offers no assistance' }) }),
      },
    },
  },
  assistList: {
    method: 'GET',
    url: '/api/v1/assist',
    summary: 'assistance requests, newest first',
    auth: AUTH,
    schema: {
      querystring: Type.Object(
        {
          agent: Type.Optional(AgentId()),
          state: Type.Optional(ListOf(DESK_ASSIST_STATES, 'states')),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_REQUESTS_LIMIT, default: 100, description: 'at most this many' })),
        },
        strict,
      ),
      response: { 200: Type.Object({ requests: Type.Array(AssistRequestSchema) }), ...errors },
    },
  },
  assistGet: {
    method: 'GET',
    url: '/api/v1/assist/:id',
    summary: 'one request; with `wait`, a long poll: while the request is requested or pending, the answer comes when it changes (or the wait ends)',
    auth: AUTH,
    schema: {
      params: RequestIdParams,
      querystring: Type.Object(
        { wait: Type.Optional(Type.Integer({ minimum: 0, maximum: 60, default: 0, description: 'seconds to wait for a change while the agent or its operator has still to answer (requested, pending)' })) },
        strict,
      ),
      response: { 200: Type.Object({ request: AssistRequestSchema }), ...errors, 404: ErrorSchema },
    },
  },
  assistEnd: {
    method: 'DELETE',
    url: '/api/v1/assist/:id',
    summary: "ends a running session or withdraws a request (assist-end to the agent, at once or as soon as it answers); every channel of it closes",
    auth: AUTH,
    schema: {
      params: RequestIdParams,
      response: {
        202: Type.Object({ request: AssistRequestSchema, delivery: Type.String({ description: '"sent", "sent as soon as the agent answers the request", or "the agent is not connected"' }) }),
        ...errors,
        404: ErrorSchema,
        409: Type.Object({ error: Type.String({ description: 'the request is over already' }) }),
      },
    },
  },
  assistChannels: {
    method: 'GET',
    url: '/api/v1/assist/:id/channels',
    summary:
      "WebSocket (upgrade) for the engineer's end of a running session's channels: the protocol's channel-* messages and binary data frames, the engineer opening channels (kind, params); each is relayed to the agent, accepted only when the agent accepts",
    auth: `${AUTH}; only the engineer who made the request may attach (else 403), only while it runs (else 409)`,
    schema: {
      params: RequestIdParams,
      response: {
        101: Type.Null({ description: 'switching to the WebSocket' }),
        ...errors,
        403: ErrorSchema,
        404: ErrorSchema,
        409: ErrorSchema,
        426: Type.Object({ error: Type.String({ description: 'a plain GET: this route is a WebSocket' }) }),
      },
    },
  },
  agentAudit: {
    method: 'GET',
    url: '/api/v1/agents/:agent/audit',
    summary: "the agent's remote-assistance audit records as the desk received them, and the chain's status at the desk",
    auth: AUTH,
    schema: {
      params: AgentParams,
      querystring: Type.Object(
        {
          after: Type.Optional(Type.Integer({ minimum: 0, default: 0, description: 'records with a higher seq' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_AUDIT_LIMIT, default: 500, description: 'at most this many' })),
        },
        strict,
      ),
      response: { 200: Type.Object({ agent: Type.String(), records: Type.Array(AuditRecordSchema), chain: AuditChainStatusSchema }), ...errors, 404: ErrorSchema },
    },
  },
} satisfies Record<string, DeskRouteSpec>;

export const ASSIST_SCHEMAS = { AssistRequest: AssistRequestSchema, AuditRecord: AuditRecordSchema, AuditChainStatus: AuditChainStatusSchema };

// Drift guards, as in engineer-routes.ts: the response schemas describe exactly what the handlers send.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const same = <T extends true>(_proof?: T): void => undefined;
same<Same<Static<typeof AssistRequestSchema>, AssistRequestRow>>();
same<Same<Static<typeof AuditRecordSchema>, AuditRecordRow>>();
same<Same<Static<typeof AuditChainStatusSchema>, AuditChainStatus>>();
