import type { ApiDocSection } from '../core/schema/render-routes.js';
import type { RouteSpec } from '../core/schema/route-spec.js';
import { Type } from '../core/schema/type.js';
import { SiteSchema } from '../core/config/schema.js';
import { HISTORY_LIMIT } from './context.js';
import { CLI_TOKEN_HEADER, CSRF_HEADER } from './plugins/security.js';
import {
  AgentStatusSchema,
  CheckStatusSchema,
  FaultSchema,
  OverallSchema,
  ProbeResultSchema,
  SeveritySchema,
  StoreHealthSchema,
  TextSchema,
  TunnelStatusSchema,
} from './schemas/status.js';
import {
  CheckViewSchema,
  ConsentSessionSchema,
  ConsentViewSchema,
  DeliverySchema,
  ErrorSchema,
  FaultViewSchema,
  HistoryEntrySchema,
  ManualRunSchema,
  SnapshotSchema,
} from './schemas/views.js';

/**
 * Every route of the local page and API: the plugins register these objects and docs/api.md is rendered from them.
 * The security plugin guards all of them (see plugins/security.ts); `auth` says what it demands.
 */

const READ = 'Host must be this agent\'s address or localhost (else 421); a request another site started, or one with another origin\'s Origin header, is refused (403)';
const WRITE = `as for reads, and the page's Origin with the header \`${CSRF_HEADER}\` carrying this start's page token (else 403); or, from \`guardpost assist\`, no Origin and no Fetch Metadata with the header \`${CLI_TOKEN_HEADER}\` carrying the token of the agent's 0600 file \`local-api.token\` in its state directory`;
const NAVIGATE = 'Host must be this agent\'s address or localhost (else 421); another site may link here (a top-level navigation) but not read it, and a request with another origin\'s Origin header is refused (403)';

const refused = { 403: ErrorSchema, 421: ErrorSchema };
const errors = { 400: ErrorSchema, ...refused };

export const RunBody = Type.Object(
  { checks: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 64, description: 'check ids; all when left out' })) },
  { additionalProperties: false },
);
export const HistoryQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: HISTORY_LIMIT, default: HISTORY_LIMIT })) },
  { additionalProperties: false },
);
export const LangQuery = Type.Object(
  { lang: Type.Optional(Type.Union([Type.Literal('zh'), Type.Literal('en')], { default: 'zh' })) },
  { additionalProperties: false },
);
export const ConsentParams = Type.Object({ id: Type.String({ pattern: '^[0-9a-f-]{36}$', description: 'session id' }) }, { additionalProperties: false });
export const ConsentBody = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false });
export const ReportQuery = Type.Object(
  { month: Type.Optional(Type.String({ maxLength: 16, description: 'YYYY-MM; the current month (so far) when left out' })) },
  { additionalProperties: false },
);
/** The report's JSON is agent/report's InspectionReport; its fields are documented there, not repeated here. */
export const InspectionReportSchema = Type.Object(
  { month: Type.String(), complete: Type.Boolean(), checklist: Type.Array(Type.Object({}, { additionalProperties: true })) },
  { additionalProperties: true, description: 'the monthly inspection report as data (agent/report/inspection/build.ts InspectionReport)' },
);
export const AssetParams = Type.Object({ file: Type.String({ pattern: '^[a-z0-9-]+\\.(js|css|svg)$' }) }, { additionalProperties: false });

const consentAnswer = (url: string, summary: string): RouteSpec => ({
  method: 'POST',
  url,
  summary,
  auth: WRITE,
  schema: { params: ConsentParams, body: ConsentBody, response: { 200: ConsentSessionSchema, 400: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 421: ErrorSchema, 403: ErrorSchema } },
});

export const LOCAL_ROUTES = {
  page: {
    method: 'GET',
    url: '/',
    summary: "the health page (HTML), with this start's page token",
    auth: NAVIGATE,
    schema: { response: { 200: Type.String({ description: 'the health page (HTML)' }), 403: ErrorSchema, 404: ErrorSchema, 421: ErrorSchema } },
  },
  asset: {
    method: 'GET',
    url: '/static/:file',
    summary: "the page's scripts, styles and icon, with an ETag (304 when unchanged)",
    auth: READ,
    schema: { params: AssetParams, response: { 200: Type.String(), 304: Type.Null(), 403: ErrorSchema, 404: ErrorSchema, 421: ErrorSchema } },
  },
  events: {
    method: 'GET',
    url: '/events',
    summary: 'server-sent events: one `state` event (the snapshot) per change, debounced, and a periodic heartbeat; a limited number of streams, and fewer for any one origin (503)',
    auth: READ,
    schema: {
      response: {
        200: Type.String({ description: 'text/event-stream: `state` events carrying the snapshot (GET /api/snapshot)' }),
        ...refused,
        503: ErrorSchema,
      },
    },
  },
  status: {
    method: 'GET',
    url: '/api/status',
    summary: 'the agent\'s state (what `guardpost status` reads)',
    auth: READ,
    schema: { response: { 200: AgentStatusSchema, ...errors } },
  },
  snapshot: {
    method: 'GET',
    url: '/api/snapshot',
    summary: 'everything the page shows: status, fault views, check views, recent transitions, consent, manual run',
    auth: READ,
    schema: { response: { 200: SnapshotSchema, ...errors } },
  },
  checks: {
    method: 'GET',
    url: '/api/checks',
    summary: 'the checks with title, state (ok/fail/pending) and last results with phase timings',
    auth: READ,
    schema: { response: { 200: Type.Object({ checks: Type.Array(CheckViewSchema), run: ManualRunSchema }), ...errors } },
  },
  faults: {
    method: 'GET',
    url: '/api/faults',
    summary: 'the active faults by severity, with what the operator can do and whether the desk has them',
    auth: READ,
    schema: {
      response: {
        200: Type.Object({
          overall: OverallSchema,
          counts: Type.Object({ critical: Type.Number(), major: Type.Number(), minor: Type.Number() }),
          faults: Type.Array(FaultViewSchema),
        }),
        ...errors,
      },
    },
  },
  history: {
    method: 'GET',
    url: '/api/history',
    summary: 'the last transitions, newest first, from the outbox and an in-memory ring',
    auth: READ,
    schema: { querystring: HistoryQuery, response: { 200: Type.Object({ transitions: Type.Array(HistoryEntrySchema) }), ...errors } },
  },
  diagnostics: {
    method: 'GET',
    url: '/api/diagnostics',
    summary: 'the plain-text summary the page copies for the hotline',
    auth: READ,
    schema: { querystring: LangQuery, response: { 200: Type.String({ description: 'plain text for the hotline' }), ...errors } },
  },
  runChecks: {
    method: 'POST',
    url: '/api/checks/run',
    summary: 'runs checks now; answers 202 at once, results arrive on the stream; one manual run at a time',
    auth: WRITE,
    schema: {
      body: RunBody,
      response: { 202: Type.Object({ started: Type.Boolean(), checks: Type.Array(Type.String()), run: ManualRunSchema }), ...errors },
    },
  },
  consent: {
    method: 'GET',
    url: '/api/consent',
    summary: 'the live remote-assistance request or session, and the recent ones',
    auth: READ,
    schema: { response: { 200: ConsentViewSchema, ...refused } },
  },
  consentApprove: consentAnswer('/api/consent/:id/approve', 'the person at the terminal allows the pending request; 404 unknown, 409 wrong state'),
  consentDeny: consentAnswer('/api/consent/:id/deny', 'the person at the terminal declines the pending request'),
  consentEnd: consentAnswer('/api/consent/:id/end', 'the person at the terminal ends the running session'),
  report: {
    method: 'GET',
    url: '/report',
    summary: "the monthly inspection report (巡检报告) as printable HTML, the current month so far by default; 400 for a bad or future month",
    auth: NAVIGATE,
    schema: { querystring: ReportQuery, response: { 200: Type.String({ description: 'the report (HTML, A4 print styles)' }), ...errors } },
  },
  reportStyle: {
    method: 'GET',
    url: '/report/style.css',
    summary: "the report's print styles",
    auth: READ,
    schema: { response: { 200: Type.String(), ...refused } },
  },
  reportData: {
    method: 'GET',
    url: '/api/report',
    summary: 'the monthly inspection report as JSON (what `guardpost report` renders); 400 for a bad or future month',
    auth: READ,
    schema: { querystring: ReportQuery, response: { 200: InspectionReportSchema, ...errors } },
  },
  metrics: {
    method: 'GET',
    url: '/metrics',
    summary: 'Prometheus metrics: checks, faults, outbox, tunnel, refused requests, process',
    auth: READ,
    schema: { response: { 200: Type.String({ description: 'Prometheus text exposition format 0.0.4' }), ...refused } },
  },
} satisfies Record<string, RouteSpec>;

/** The shared response schemas docs/api.md names and describes once, by the names it shows. */
export const LOCAL_SCHEMAS = {
  AgentStatus: AgentStatusSchema,
  Snapshot: SnapshotSchema,
  Fault: FaultSchema,
  FaultView: FaultViewSchema,
  CheckStatus: CheckStatusSchema,
  CheckView: CheckViewSchema,
  ProbeResult: ProbeResultSchema,
  HistoryEntry: HistoryEntrySchema,
  StoreHealth: StoreHealthSchema,
  TunnelStatus: TunnelStatusSchema,
  ConsentView: ConsentViewSchema,
  ConsentSession: ConsentSessionSchema,
  ManualRun: ManualRunSchema,
  Delivery: DeliverySchema,
  Overall: OverallSchema,
  Severity: SeveritySchema,
  Site: SiteSchema,
  Text: TextSchema,
  Error: ErrorSchema,
};

export const LOCAL_API_DOC: ApiDocSection = {
  title: 'Local API (agent)',
  anchor: 'local',
  schemasTitle: 'Schemas of the local API',
  intro: `
The agent's health page and JSON API (\`agent/web\`), on \`http://<web.host>:<web.port>/\` — a loopback address only
(see docs/config.md). The page, \`guardpost status\`, a Prometheus scraper and the hospital's IT person read it. fastify
validates every input and serialises every answer through these schemas, so a field missing from a schema would vanish
from the answer; the drift guards in \`agent/web/schemas/\` keep the schemas equal to the core's types. The defences
behind "auth" are described in \`agent/web/README.md\`.`,
  routes: LOCAL_ROUTES,
  schemas: LOCAL_SCHEMAS,
};
