import { Type, type Static } from '../../agent/core/schema/type.js';
import { Severity, Text } from '../../agent/tunnel/protocol/fault-schema.js';
import { Enum, Instant, Nullable } from './common-schemas.js';
import { TICKET_ACTIONS, TICKET_STATES } from '../tickets/ticket-states.js';
import type { Runbook, Ticket, TicketFigures, TicketStep } from '../tickets/ticket-types.js';

/** The tickets' answers as JSON Schema (docs/api.md names them), held equal to the store's types by the guards below. */

export const TicketSchema = Type.Object({
  id: Type.String({ description: 'T- and the number, zero-padded: T-000042 (T-42 and 42 are accepted in paths)' }),
  origin: Enum(['fault', 'hand'] as const, 'fault: opened for an occurrence the desk received; hand: opened by the hotline for a call'),
  state: Enum(TICKET_STATES, 'opened → dispatched → in_progress → resolved → follow_up → closed (a reopen: resolved → in_progress)'),
  agentId: Type.String(),
  siteCode: Type.String({ description: "fixmedins_code; '' when not known" }),
  faultId: Nullable(Type.String({ description: "the occurrence (the agent's id for it); one ticket per occurrence" })),
  code: Nullable(Type.String({ description: 'the fault code, whose runbook is the ticket\'s knowledge base' })),
  severity: Nullable(Severity),
  title: Nullable(Text),
  summary: Nullable(Type.String({ description: 'a hand ticket: what the caller reported' })),
  caller: Nullable(Type.String({ description: 'a hand ticket: who called and how to reach them' })),
  assignee: Nullable(Type.String({ description: 'the engineer it is dispatched to' })),
  satisfaction: Nullable(Type.Integer({ minimum: 1, maximum: 5, description: 'from the follow-up: 1 very unsatisfied … 5 very satisfied' })),
  comment: Nullable(Type.String({ description: 'what the customer said at the follow-up' })),
  openedAt: Instant,
  openedBy: Type.String({ description: "the engineer's token name, or 'agent' for a fault ticket" }),
  stateAt: Instant,
  dispatchedAt: Nullable(Instant),
  startedAt: Nullable(Instant),
  resolvedAt: Nullable(Instant),
  resolvedBy: Nullable(Type.String({ description: "the engineer, or 'agent' when the fault resolved on the terminal" })),
  followedUpAt: Nullable(Instant),
  closedAt: Nullable(Instant),
});

export const TicketStepSchema = Type.Object({
  id: Type.Integer(),
  ticketId: Type.String(),
  kind: Enum(['open', ...TICKET_ACTIONS, 'note', 'fault-linked'] as const, 'a transition, the opening, a note, or the fault joining a ticket opened by hand before it'),
  from: Nullable(Enum(TICKET_STATES)),
  to: Enum(TICKET_STATES),
  by: Type.String(),
  at: Instant,
  note: Nullable(Type.String()),
  assignee: Nullable(Type.String({ description: 'a dispatch: whom it went to' })),
});

export const KnowledgeBaseSchema = Type.Object(
  {
    code: Type.String(),
    causes: Type.Array(Text, { description: 'likely causes, most likely first' }),
    operator: Text,
    engineer: Text,
  },
  { description: "the fault code's runbook (知识库): what the cashier or site IT can do, what the engineer should do" },
);

const Count = Type.Integer({ minimum: 0 });

export const TicketFiguresSchema = Type.Object({
  from: Instant,
  to: Instant,
  opened: Type.Object({ total: Count, fault: Count, hand: Count }, { description: 'tickets opened in [from, to)' }),
  stateNow: Type.Object(Object.fromEntries(TICKET_STATES.map((s) => [s, Count])) as Record<(typeof TICKET_STATES)[number], typeof Count>, {
    description: 'the tickets opened in the range, by the state they are in now',
  }),
  closed: Type.Integer({ minimum: 0, description: 'tickets closed in the range' }),
  followUps: Type.Integer({ minimum: 0, description: 'follow-ups made in the range' }),
  satisfaction: Type.Object({
    mean: Nullable(Type.Number({ description: 'mean satisfaction of those follow-ups; null when there were none' })),
    distribution: Type.Object({ 1: Count, 2: Count, 3: Count, 4: Count, 5: Count }),
  }),
});

export const TICKET_SCHEMAS = { Ticket: TicketSchema, TicketStep: TicketStepSchema, KnowledgeBase: KnowledgeBaseSchema, TicketFigures: TicketFiguresSchema };

// Drift guards, as in desk/api/engineer-routes.ts: a response schema and the type the handlers send cannot part ways.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const same = <T extends true>(_proof?: T): void => undefined;
same<Same<Static<typeof TicketSchema>, Ticket>>();
same<Same<Static<typeof TicketStepSchema>, TicketStep>>();
same<Same<Static<typeof KnowledgeBaseSchema>, Runbook & { code: string }>>();
same<Same<Static<typeof TicketFiguresSchema>, TicketFigures>>();
