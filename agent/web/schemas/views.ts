import { Type, type Static } from '../../core/schema/type.js';
import type { ConsentSession } from '../consent-broker.js';
import { AgentStatusSchema, FaultSchema, ProbeResultSchema, SeveritySchema, TextSchema } from './status.js';

/** Schemas of what the page and the JSON API show beyond the core's AgentStatus. Types derive from them. */

/** Whether the service desk has this: no desk configured, still in the outbox, received (acked seq), acknowledged by a person. */
export const DeliverySchema = Type.Union([Type.Literal('no-desk'), Type.Literal('waiting'), Type.Literal('received'), Type.Literal('acknowledged')]);

export const FaultViewSchema = Type.Intersect([
  FaultSchema,
  Type.Object({
    /** From the fault catalogue: what the cashier or the site's IT person can do. */
    operator: TextSchema,
    delivery: DeliverySchema,
    /** Sequence number of the transition that opened this occurrence, when still known (outbox or since start). */
    openedSeq: Type.Optional(Type.Number()),
  }),
]);

export const CheckViewSchema = Type.Object({
  id: Type.String(),
  type: Type.String(),
  title: TextSchema,
  enabled: Type.Boolean(),
  intervalSeconds: Type.Number(),
  /** ok: every subject passed; fail: one or more failed; pending: no run yet. */
  state: Type.Union([Type.Literal('ok'), Type.Literal('fail'), Type.Literal('pending')]),
  lastRunAt: Type.Optional(Type.String()),
  results: Type.Array(ProbeResultSchema),
});

export const HistoryEntrySchema = Type.Object({
  seq: Type.Number(),
  kind: Type.Union([Type.Literal('opened'), Type.Literal('updated'), Type.Literal('acknowledged'), Type.Literal('resolved')]),
  at: Type.String(),
  detectedAt: Type.String(),
  code: Type.String(),
  severity: SeveritySchema,
  title: TextSchema,
  subject: Type.String(),
  checkId: Type.String(),
  changed: Type.Optional(Type.Array(Type.String())),
  delivery: DeliverySchema,
});

export const ConsentSessionSchema = Type.Object({
  id: Type.String(),
  engineer: Type.String(),
  organisation: Type.Optional(Type.String()),
  ticket: Type.Optional(Type.String()),
  purpose: TextSchema,
  capabilities: Type.Array(Type.Union([Type.Literal('view'), Type.Literal('terminal'), Type.Literal('files'), Type.Literal('relay')])),
  state: Type.Union([
    Type.Literal('pending'),
    Type.Literal('active'),
    Type.Literal('denied'),
    Type.Literal('expired'),
    Type.Literal('withdrawn'),
    Type.Literal('ended'),
  ]),
  requestedAt: Type.String(),
  expiresAt: Type.String(),
  maxMinutes: Type.Number(),
  decidedAt: Type.Optional(Type.String()),
  decidedBy: Type.Optional(Type.String()),
  endsAt: Type.Optional(Type.String()),
  endedAt: Type.Optional(Type.String()),
  endedBy: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
});

export const ConsentViewSchema = Type.Object({
  /** The pending request (the prompt) or the active session (the banner); null when there is none. */
  live: Type.Union([ConsentSessionSchema, Type.Null()]),
  recent: Type.Array(ConsentSessionSchema),
});

export const ManualRunSchema = Type.Object({
  running: Type.Boolean(),
  startedAt: Type.Optional(Type.String()),
  finishedAt: Type.Optional(Type.String()),
  error: Type.Optional(Type.String()),
});

/** Everything the page shows, in one document: GET /api/snapshot and every SSE `state` event. */
export const SnapshotSchema = Type.Object({
  /** Changes when the agent restarts; the page reloads then (its CSRF token is per start). */
  instance: Type.String(),
  /** Increases with every snapshot built by this instance. */
  rev: Type.Number(),
  generatedAt: Type.String(),
  status: Type.Omit(AgentStatusSchema, ['faults', 'checks']),
  faults: Type.Array(FaultViewSchema),
  checks: Type.Array(CheckViewSchema),
  history: Type.Array(HistoryEntrySchema),
  consent: ConsentViewSchema,
  run: ManualRunSchema,
});

export type Delivery = Static<typeof DeliverySchema>;
export type FaultView = Static<typeof FaultViewSchema>;
export type CheckView = Static<typeof CheckViewSchema>;
export type HistoryEntry = Static<typeof HistoryEntrySchema>;
export type ConsentView = Static<typeof ConsentViewSchema>;
export type ManualRun = Static<typeof ManualRunSchema>;
export type Snapshot = Static<typeof SnapshotSchema>;

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const same = <T extends true>(_proof?: T): void => undefined;
same<Same<Static<typeof ConsentSessionSchema>, ConsentSession>>();

/** Error body of every 4xx/5xx the API sends itself. */
export const ErrorSchema = Type.Object({ error: Type.String(), code: Type.Optional(Type.String()) });
