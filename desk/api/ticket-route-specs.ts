import type { RouteSpec } from '../../agent/core/schema/route-spec.js';
import { Type, type TObject } from '../../agent/core/schema/type.js';
import { AgentId, ErrorSchema, ListOf, Nullable, strict } from './common-schemas.js';
import { KnowledgeBaseSchema, TicketSchema, TicketStepSchema } from './ticket-schemas.js';
import { TICKET_STATES } from '../tickets/ticket-states.js';

/**
 * The tickets' routes of the engineer API as data (RouteSpec): ticket-routes.ts registers exactly these objects and
 * docs/api.md can be rendered from TICKET_ROUTES. Bodies are strict (an unknown field is refused, naming it).
 */

const AUTH = 'Authorization: Bearer TOKEN, from `guardpost desk-cli token create NAME` (else 401); the name is recorded as who did the step';

export const MAX_TICKET_NOTE_LENGTH = 2000;
export const MAX_TICKETS_LIMIT = 1000;

const Note = (description: string) => Type.String({ minLength: 1, maxLength: MAX_TICKET_NOTE_LENGTH, description });
const EngineerName = (description: string) =>
  Type.String({ minLength: 1, maxLength: 64, pattern: '^[\\p{L}\\p{N}_.@-]{1,64}$', examples: ['engineer-li'], description });

const TicketParams = Type.Object(
  { id: Type.String({ pattern: '^([Tt]-?)?[0-9]{1,12}$', examples: ['T-000042'], description: 'a ticket id: T-000042, or short, T-42 or 42' }) },
  strict,
);

const errors = { 400: ErrorSchema, 401: ErrorSchema };
const oneTicket = { ...errors, 404: Type.Object({ error: Type.String({ description: 'no such ticket, e.g. "no ticket T-000042"' }) }) };
const refused = Type.Object({ error: Type.String({ description: 'the ticket\'s state does not allow it, e.g. `ticket T-000042 is "opened"; it must be resolved before a follow-up`' }) });
const TicketAnswer = Type.Object({ ticket: TicketSchema });

/** A transition route: POST /api/v1/tickets/:id/<step>. */
function step(path: string, summary: string, body: TObject): RouteSpec {
  return {
    method: 'POST',
    url: `/api/v1/tickets/:id/${path}`,
    summary,
    auth: AUTH,
    schema: { params: TicketParams, body, response: { 200: TicketAnswer, ...oneTicket, 409: refused } },
  };
}

const noteOnly = (what: string) => Type.Object({ note: Type.Optional(Note(what)) }, strict);

export const TICKET_ROUTES = {
  ticketList: {
    method: 'GET',
    url: '/api/v1/tickets',
    summary: 'tickets, newest first',
    auth: AUTH,
    schema: {
      querystring: Type.Object(
        {
          state: Type.Optional(ListOf(TICKET_STATES, 'states')),
          assignee: Type.Optional(EngineerName('dispatched to this engineer')),
          site: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'institution code (fixmedins_code)' })),
          agent: Type.Optional(AgentId()),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_TICKETS_LIMIT, default: 100, description: 'at most this many' })),
        },
        strict,
      ),
      response: { 200: Type.Object({ tickets: Type.Array(TicketSchema) }), ...errors },
    },
  },
  ticketGet: {
    method: 'GET',
    url: '/api/v1/tickets/:id',
    summary: "one ticket, its steps in order, and its fault code's runbook (知识库)",
    auth: AUTH,
    schema: {
      params: TicketParams,
      response: {
        200: Type.Object({ ticket: TicketSchema, steps: Type.Array(TicketStepSchema), knowledgeBase: Nullable(KnowledgeBaseSchema) }),
        ...oneTicket,
      },
    },
  },
  ticketOpen: {
    method: 'POST',
    url: '/api/v1/tickets',
    summary: 'opens a ticket by hand for a phone call (tickets for faults open themselves when the desk receives the fault)',
    auth: AUTH,
    schema: {
      body: Type.Object(
        {
          agentId: AgentId('the agent (terminal) the call is about'),
          faultId: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9-]{4,128}$', examples: ['3f2a9c1e'], description: "the occurrence the call is about, if the desk has it (the agent's id for it)" })),
          code: Type.Optional(Type.String({ pattern: '^[A-Z][A-Z0-9_]{1,63}$', examples: ['READER_NOT_FOUND'], description: 'the fault code the problem matches: the ticket shows its runbook' })),
          caller: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'who called, and how to reach them' })),
          summary: Note('what the caller reported'),
        },
        strict,
      ),
      response: {
        201: TicketAnswer,
        ...errors,
        404: Type.Object({ error: Type.String({ description: 'no such agent' }) }),
        409: Type.Object({ error: Type.String({ description: 'the occurrence has its ticket already (one ticket per occurrence)' }) }),
      },
    },
  },
  ticketDispatch: step(
    'dispatch',
    'dispatches the ticket to an engineer (派单); while it is not resolved, again to another one (改派)',
    Type.Object({ assignee: EngineerName("the engineer's token name"), note: Type.Optional(Note('for the engineer')) }, strict),
  ),
  ticketStart: step('start', 'the assignee starts work on a dispatched ticket (处理)', noteOnly('what is being done')),
  ticketResolve: step('resolve', 'the engineer replies that it is fixed (回复)', noteOnly('what was done')),
  ticketFollowUp: step(
    'follow-up',
    "records the follow-up call (回访) on a resolved ticket: the customer's satisfaction",
    Type.Object(
      {
        satisfaction: Type.Integer({ minimum: 1, maximum: 5, description: '1 very unsatisfied … 5 very satisfied' }),
        comment: Type.Optional(Note('what the customer said')),
      },
      strict,
    ),
  ),
  ticketClose: step('close', 'closes a followed-up ticket (关闭)', noteOnly('a closing remark')),
  ticketReopen: step('reopen', 'reopens a resolved ticket (not fixed after all): back in progress', noteOnly('why it is reopened')),
  ticketNote: {
    method: 'POST',
    url: '/api/v1/tickets/:id/notes',
    summary: 'adds a note to a ticket in any state; the state does not change',
    auth: AUTH,
    schema: {
      params: TicketParams,
      body: Type.Object({ note: Note('the note') }, strict),
      response: { 201: Type.Object({ ticket: TicketSchema, step: TicketStepSchema }), ...oneTicket },
    },
  },
} satisfies Record<string, RouteSpec>;
