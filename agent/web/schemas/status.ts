import { Type, type Static } from '../../core/schema/type.js';
import { SiteSchema } from '../../core/config/schema.js';
import type { Fault } from '../../core/faults/types.js';
import type { ProbeResult } from '../../core/checks/result.js';
import type { AgentStatus, CheckStatus, TunnelStatus } from '../../core/runtime/status.js';
import type { StoreHealth } from '../../core/store/types.js';

/**
 * Response schemas of the core's shapes (AgentStatus and what it holds), built with ../../core/schema/type.ts. fastify
 * serialises responses through them, so a field missing here would silently vanish from the API: the assertions at
 * the bottom make the compiler fail when the core's interfaces and these schemas drift apart.
 */

export const TextSchema = Type.Object({ zh: Type.String(), en: Type.String() }, { additionalProperties: false });
export const SeveritySchema = Type.Union([Type.Literal('critical'), Type.Literal('major'), Type.Literal('minor')]);
const Labels = Type.Record(Type.String(), Type.String());
const Evidence = Type.Record(Type.String(), Type.Union([Type.Number(), Type.String(), Type.Boolean(), Type.Null()]));

export const ProbeResultSchema = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('fail')]),
  reason: Type.String(),
  message: TextSchema,
  subject: Type.String(),
  labels: Type.Optional(Labels),
  evidence: Evidence,
  phases: Type.Optional(Type.Record(Type.String(), Type.Number())),
  time: Type.String(),
  durationMs: Type.Number(),
});

export const FaultSchema = Type.Object({
  id: Type.String(),
  key: Type.String(),
  code: Type.String(),
  severity: SeveritySchema,
  title: TextSchema,
  detail: TextSchema,
  checkId: Type.String(),
  subject: Type.String(),
  labels: Labels,
  evidence: Evidence,
  firstSeen: Type.String(),
  lastSeen: Type.String(),
  occurrences: Type.Number(),
  state: Type.Union([Type.Literal('open'), Type.Literal('acknowledged'), Type.Literal('resolved')]),
  acknowledgedBy: Type.Optional(Type.String()),
  acknowledgedAt: Type.Optional(Type.String()),
  acknowledgedNote: Type.Optional(Type.String()),
  resolvedAt: Type.Optional(Type.String()),
  flapping: Type.Optional(Type.Boolean()),
  inhibitedBy: Type.Array(Type.String()),
});

export const CheckStatusSchema = Type.Object({
  id: Type.String(),
  type: Type.String(),
  enabled: Type.Boolean(),
  intervalSeconds: Type.Number(),
  last: Type.Optional(Type.Array(ProbeResultSchema)),
  lastRunAt: Type.Optional(Type.String()),
});

export const TunnelStatusSchema = Type.Object({
  state: Type.Union([Type.Literal('disabled'), Type.Literal('connecting'), Type.Literal('connected'), Type.Literal('disconnected')]),
  deskUrl: Type.Optional(Type.String()),
  lastContactAt: Type.Optional(Type.String()),
  connectedSince: Type.Optional(Type.String()),
  lastError: Type.Optional(Type.String()),
  ackedSeq: Type.Optional(Type.Number()),
});

export const StoreHealthSchema = Type.Object({
  writeError: Type.Optional(Type.Object({ message: Type.String(), since: Type.String(), failures: Type.Number() })),
  recovered: Type.Optional(
    Type.Object({ reason: Type.String(), movedTo: Type.Optional(Type.String()), restoredFrom: Type.Optional(Type.String()), at: Type.String() }),
  ),
  outboxDepth: Type.Number(),
  outboxBytes: Type.Number(),
  oldestPendingAt: Type.Optional(Type.String()),
  evicted: Type.Number(),
  overflowing: Type.Boolean(),
});

export const OverallSchema = Type.Union([Type.Literal('ok'), Type.Literal('degraded'), Type.Literal('down')]);

export const AgentStatusSchema = Type.Object({
  agent: Type.Object({
    id: Type.String(),
    version: Type.String(),
    profile: Type.String(),
    pid: Type.Number(),
    startedAt: Type.String(),
    uptimeSeconds: Type.Number(),
    configSource: Type.String(),
    stateDir: Type.String(),
  }),
  site: SiteSchema,
  overall: OverallSchema,
  overallText: TextSchema,
  counts: Type.Object({ critical: Type.Number(), major: Type.Number(), minor: Type.Number() }),
  faults: Type.Array(FaultSchema),
  checks: Type.Array(CheckStatusSchema),
  store: StoreHealthSchema,
  tunnel: TunnelStatusSchema,
  process: Type.Object({ rssBytes: Type.Number(), heapUsedBytes: Type.Number(), cpuUserMs: Type.Number(), cpuSystemMs: Type.Number() }),
});

// Drift guards: each schema must describe exactly the core's type (both directions), or this file stops compiling.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const same = <T extends true>(_proof?: T): void => undefined;
same<Same<Static<typeof ProbeResultSchema>, ProbeResult>>();
same<Same<Static<typeof FaultSchema>, Fault>>();
same<Same<Static<typeof CheckStatusSchema>, CheckStatus>>();
same<Same<Static<typeof TunnelStatusSchema>, TunnelStatus>>();
same<Same<Static<typeof StoreHealthSchema>, StoreHealth>>();
same<Same<Omit<Static<typeof AgentStatusSchema>, 'agent'>, Omit<AgentStatus, 'agent'>>>();
same<Same<Static<typeof AgentStatusSchema>['agent'], Omit<AgentStatus['agent'], 'profile'> & { profile: string }>>();
