import { SEVERITIES } from '../../agent/core/severity.js';
import type { ApiDocSection } from '../../agent/core/schema/render-routes.js';
import type { RouteSpec } from '../../agent/core/schema/route-spec.js';
import { Type, type Static } from '../../agent/core/schema/type.js';
import { Severity, Text } from '../../agent/tunnel/protocol/fault-schema.js';
import { agentMessages } from '../../agent/tunnel/protocol/messages.js';
import type { ServiceReport, Verdict } from '../service-report.js';
import { LIMIT_KINDS, type AckRecord, type AgentRow, type FaultRow, type TimelineEntry } from '../store/types.js';
import { ASSIST_ROUTES, ASSIST_SCHEMAS } from './assist-routes.js';
import { ENROLL_API_ROUTES, ENROLL_API_SCHEMAS } from './enroll-api.js';
import { NOTIFY_ROUTES, NOTIFY_SCHEMAS } from './notify-routes.js';
import { TICKET_ROUTES } from './ticket-route-specs.js';
import { TICKET_SCHEMAS } from './ticket-schemas.js';
import { ComplianceSchema, FleetSummarySchema } from './fleet-schemas.js';
import type { TicketFigures } from '../tickets/ticket-types.js';
import { Enum, ErrorSchema, Instant, ListOf, Nullable, strict, type DeskRouteSpec } from './common-schemas.js';

export { ErrorSchema };

/**
 * Every route of the engineer API: engineer-api.ts registers these objects and docs/api.md is rendered from them.
 * Fastify validates every query, path and body parameter against these schemas (unknown ones are refused too) and
 * answers 400 naming the parameter and what was expected; answers are plain JSON, described by the response
 * schemas, and the drift guards at the bottom make the compiler fail when a response schema and the store's type
 * part ways.
 */

/** Fault states a query may ask for; 'active' means open or acknowledged. */
export const FAULT_STATES = ['open', 'acknowledged', 'resolved', 'active'] as const;
/** Longest acknowledgement note accepted. */
export const MAX_NOTE_LENGTH = 1024;
/** Most occurrences one faults query returns. */
export const MAX_FAULTS_LIMIT = 10_000;
/** Query parameters that take several values (comma-separated or repeated). */
export const LIST_PARAMS = ['severity', 'state'] as const;

const AUTH = 'Authorization: Bearer TOKEN, from `guardpost desk-cli token create NAME` (else 401); the name is recorded as who acknowledged';

const Counts = Type.Object({ critical: Type.Number(), major: Type.Number(), minor: Type.Number() });
const AgentHealthSchema = agentMessages.heartbeat.properties.health;

export const AgentRowSchema = Type.Object({
  id: Type.String(),
  siteCode: Type.String({ description: 'fixmedins_code' }),
  siteName: Type.String({ description: 'fixmedins_name' }),
  admvs: Type.String({ description: 'mdtrtarea_admvs' }),
  terminalId: Type.String(),
  profile: Type.String(),
  version: Type.String({ description: "the agent's version" }),
  online: Type.Boolean(),
  connectedAt: Nullable(Instant),
  disconnectedAt: Nullable(Instant),
  disconnectReason: Nullable(Type.String()),
  lastSeen: Nullable(Instant),
  lastSeq: Type.Number({ description: 'the last transition seq committed from this agent' }),
  health: Nullable(AgentHealthSchema),
  healthAt: Nullable(Instant),
  openFaults: Counts,
  limited: Nullable(
    Type.Object(
      {
        kind: Type.Union(LIMIT_KINDS.map((k) => Type.Literal(k))),
        detail: Type.String({ description: 'what the limit is and what it did' }),
        at: Instant,
        count: Type.Number({ description: 'times applied since this kind of limit began (refused items, for quotas)' }),
      },
      { description: "the last limit the desk applied to this agent (docs/protocol.md, close codes 4020 and 4021); within the last hour: throttled" },
    ),
  ),
});

export const FaultRowSchema = Type.Object({
  id: Type.String({ description: 'occurrence id' }),
  agentId: Type.String(),
  siteCode: Type.String(),
  siteName: Type.String(),
  key: Type.String(),
  code: Type.String(),
  severity: Severity,
  maxSeverity: Severity,
  state: Type.Union([Type.Literal('open'), Type.Literal('acknowledged'), Type.Literal('resolved')]),
  subject: Type.String(),
  checkId: Type.String(),
  title: Text,
  detail: Text,
  detectedAt: Instant,
  receivedAt: Instant,
  acknowledgedAt: Nullable(Instant),
  acknowledgedBy: Nullable(Type.String()),
  resolvedAt: Nullable(Instant),
  resolvedInferred: Type.Boolean({ description: 'resolved because a later snapshot no longer had it; resolvedAt is then an upper bound' }),
  receiptSeconds: Type.Number({ description: 'detection → received by the desk' }),
  responseSeconds: Nullable(Type.Number({ description: 'detection → acknowledged' })),
  resolveSeconds: Nullable(Type.Number({ description: 'detection → resolved' })),
});

export const AckRecordSchema = Type.Object({
  id: Type.Number(),
  faultId: Type.String(),
  agentId: Type.String(),
  faultKey: Type.String(),
  by: Type.String({ description: "the engineer's token name" }),
  note: Nullable(Type.String()),
  at: Instant,
  deliveredAt: Nullable(Instant),
  outcome: Nullable(Type.String({ description: "the agent's answer: applied, already-acknowledged or not-open" })),
});

export const TimelineEntrySchema = Type.Object({
  at: Instant,
  what: Type.Union([Type.Literal('event'), Type.Literal('acknowledgement'), Type.Literal('received'), Type.Literal('notification')], {
    description: 'notification: a notice the desk planned (first, escalation N, resolved), its channel and how it fared',
  }),
  kind: Type.String(),
  seq: Type.Optional(Type.Number()),
  by: Type.Optional(Type.String()),
  severity: Type.Optional(Severity),
  state: Type.Optional(Type.String()),
  note: Type.Optional(Nullable(Type.String())),
  receivedAt: Type.Optional(Instant),
});

const VerdictSchema = Type.Union(
  (['met', 'missed', 'pending', 'not-needed', 'n/a'] as const).map((v) => Type.Literal(v)),
  { description: 'against the contract target' },
);
const VerdictCounts = Type.Object({ met: Type.Number(), missed: Type.Number(), pending: Type.Number(), 'not-needed': Type.Number(), 'n/a': Type.Number() });
const SeverityTotals = Type.Object({ faults: Type.Number(), respond: VerdictCounts, resolve: VerdictCounts, medianReceiptSeconds: Nullable(Type.Number()) });

export const ServiceFigureSchema = Type.Object({
  id: Type.String(),
  agentId: Type.String(),
  siteCode: Type.String(),
  code: Type.String(),
  severity: Severity,
  detectedAt: Instant,
  receiptSeconds: Type.Number(),
  responseSeconds: Nullable(Type.Number()),
  respond: VerdictSchema,
  resolveSeconds: Nullable(Type.Number()),
  resolveTargetHours: Nullable(Type.Number()),
  resolve: VerdictSchema,
  resolvedInferred: Type.Boolean(),
});

export const ServiceReportSchema = Type.Object({
  month: Type.String({ description: 'YYYY-MM' }),
  from: Instant,
  to: Instant,
  targets: Type.Object({ respondMinutes: Type.Number(), resolveHours: Type.Object({ critical: Type.Number(), major: Type.Number() }) }),
  totals: Type.Object({ critical: SeverityTotals, major: SeverityTotals, minor: SeverityTotals }),
  faults: Type.Array(ServiceFigureSchema),
  tickets: TICKET_SCHEMAS.TicketFigures,
  fleet: FleetSummarySchema,
});

const FaultIdParams = Type.Object(
  {
    id: Type.String({
      pattern: '^([A-Za-z0-9_.-]{1,128}:)?[A-Za-z0-9-]{4,128}$',
      examples: ['3f2a9c1e', 'P44010600123-POS-01:3f2a9c1e'],
      description: 'a fault occurrence id, or a unique prefix of one (tables show 8 characters); AGENT:ID when two agents use the same id',
    }),
  },
  strict,
);
const DateOrTime = (description: string) =>
  Type.String({
    pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,9})?)?(Z|[+-][0-9]{2}:[0-9]{2})?)?$',
    maxLength: 40,
    examples: ['2026-07-01 or 2026-07-01T08:30:00+08:00'],
    description,
  });
const errors = { 400: ErrorSchema, 401: ErrorSchema };
const oneFault = { ...errors, 404: ErrorSchema };

export const ENGINEER_ROUTES = {
  agents: {
    method: 'GET',
    url: '/api/v1/agents',
    summary: 'the agents, with presence, last health and open faults by severity',
    auth: AUTH,
    schema: {
      querystring: Type.Object(
        {
          site: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'institution code (fixmedins_code), or part of its name' })),
          online: Type.Optional(Enum(['true', 'false', '1', '0'], '`true` or `1`: online only; `false` or `0`: offline only')),
        },
        strict,
      ),
      response: { 200: Type.Object({ agents: Type.Array(AgentRowSchema) }), ...errors },
    },
  },
  faults: {
    method: 'GET',
    url: '/api/v1/faults',
    summary: 'fault occurrences, most severe first, newest first within a severity',
    auth: AUTH,
    schema: {
      querystring: Type.Object(
        {
          severity: Type.Optional(ListOf(SEVERITIES, 'grades')),
          state: Type.Optional(ListOf(FAULT_STATES, 'states (active: open or acknowledged)')),
          site: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'institution code, or part of its name' })),
          agent: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.-]{1,128}$', examples: ['P44010600123-POS-01'], description: 'agent id' })),
          since: Type.Optional(DateOrTime('detected at or after (ISO-8601; a date alone is its 00:00 UTC)')),
          until: Type.Optional(DateOrTime('detected before (ISO-8601)')),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_FAULTS_LIMIT, default: 500, description: 'at most this many' })),
        },
        strict,
      ),
      response: { 200: Type.Object({ faults: Type.Array(FaultRowSchema) }), ...errors },
    },
  },
  fault: {
    method: 'GET',
    url: '/api/v1/faults/:id',
    summary: 'one fault occurrence',
    auth: AUTH,
    schema: { params: FaultIdParams, response: { 200: Type.Object({ fault: FaultRowSchema }), ...oneFault } },
  },
  timeline: {
    method: 'GET',
    url: '/api/v1/faults/:id/timeline',
    summary: "one occurrence's transitions, receipt and acknowledgements, in time order",
    auth: AUTH,
    schema: { params: FaultIdParams, response: { 200: Type.Object({ fault: FaultRowSchema, entries: Type.Array(TimelineEntrySchema) }), ...oneFault } },
  },
  acknowledge: {
    method: 'POST',
    url: '/api/v1/faults/:id/ack',
    summary: "acknowledges an open fault; the acknowledgement travels to the agent now, or when it reconnects",
    auth: AUTH,
    schema: {
      params: FaultIdParams,
      body: Type.Object({ note: Type.Optional(Type.String({ maxLength: MAX_NOTE_LENGTH, description: 'shown to the agent with the acknowledgement' })) }, strict),
      response: {
        202: Type.Object({ acknowledgement: AckRecordSchema, delivery: Type.String({ description: '"sent", or "queued until the agent reconnects"' }) }),
        ...oneFault,
        409: ErrorSchema,
      },
    },
  },
  report: {
    method: 'GET',
    url: '/api/v1/report',
    summary: 'the monthly service report against the contract targets (months in China Standard Time), with the fleet summary: compliance per site, worst terminals, faults by code against the previous month, agents that did not report',
    auth: AUTH,
    schema: {
      querystring: Type.Object(
        {
          month: Type.Optional(Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$', examples: ['2026-07'], description: 'YYYY-MM; this month when left out' })),
          site: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "one site's agents and faults only (its institution code)" })),
        },
        strict,
      ),
      response: { 200: ServiceReportSchema, ...errors },
    },
  },
  ...ASSIST_ROUTES,
  ...NOTIFY_ROUTES,
  ...ENROLL_API_ROUTES,
  ...TICKET_ROUTES,
} satisfies Record<string, DeskRouteSpec>;

/** The shared response schemas docs/api.md names and describes once, by the names it shows. */
export const ENGINEER_SCHEMAS = {
  Agent: AgentRowSchema,
  Fault: FaultRowSchema,
  Acknowledgement: AckRecordSchema,
  TimelineEntry: TimelineEntrySchema,
  ServiceReport: ServiceReportSchema,
  ServiceFigure: ServiceFigureSchema,
  FleetSummary: FleetSummarySchema,
  Compliance: ComplianceSchema,
  SeverityTotals,
  VerdictCounts,
  AgentHealth: AgentHealthSchema,
  SeverityCounts: Counts,
  Text,
  Severity,
  ...ASSIST_SCHEMAS,
  ...NOTIFY_SCHEMAS,
  ...ENROLL_API_SCHEMAS,
  ...TICKET_SCHEMAS,
  Error: ErrorSchema,
};

export const ENGINEER_API_DOC: ApiDocSection = {
  title: 'Engineer API (desk)',
  anchor: 'desk',
  schemasTitle: 'Schemas of the engineer API',
  intro: `
The reference desk's engineer API (\`desk/api\`), over HTTPS with the desk's server certificate, on the address
\`api\` in the desk's \`desk.json\`; \`guardpost desk-cli\` is its client. Every parameter is validated against the
schemas here (unknown ones too); a refusal is 400 with \`{"error"}\` naming the parameter and what was expected, which
desk-cli prints. An unexpected failure is 500 with no detail (the desk's log has it). Answers are plain JSON, and
compile-time guards in \`desk/api/engineer-routes.ts\` keep the response schemas equal to the store's types.

Remote assistance (\`desk/assist\`): an engineer asks for a session on an agent (\`POST …/assist\`); the agent's policy
and its operator decide, and the request follows the agent's answers (\`GET /api/v1/assist/:id?wait=30\` waits for the
next change). Once it runs, the engineer's end of its channels is a WebSocket on \`/api/v1/assist/:id/channels\`
speaking the protocol's \`channel-*\` messages and binary data frames (docs/protocol.md); each channel the engineer
opens is relayed to one the desk opens to the agent, with credit end to end.`,
  // The renderer prints whatever method a route has; RouteSpec's type only lacks DELETE.
  routes: ENGINEER_ROUTES as unknown as Record<string, RouteSpec>,
  schemas: ENGINEER_SCHEMAS,
};

// Drift guards: each response schema must describe exactly the type the handlers send, or this file stops compiling.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const same = <T extends true>(_proof?: T): void => undefined;
same<Same<Static<typeof AgentRowSchema>, AgentRow>>();
same<Same<Static<typeof FaultRowSchema>, FaultRow>>();
same<Same<Static<typeof AckRecordSchema>, AckRecord>>();
same<Same<Static<typeof TimelineEntrySchema>, TimelineEntry>>();
same<Same<Static<typeof ServiceFigureSchema>['respond'], Verdict>>();
same<Same<Omit<Static<typeof ServiceReportSchema>, 'month' | 'tickets' | 'fleet'>, ServiceReport>>();
same<Same<Static<typeof ServiceReportSchema>['tickets'], TicketFigures>>();
