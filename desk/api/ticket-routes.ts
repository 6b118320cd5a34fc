import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { routeOptions, type RouteSpec } from '../../agent/core/schema/route-spec.js';
import { splitLists } from './request-errors.js';
import { TicketConflictError, TicketInputError, TicketNotFoundError } from '../tickets/ticket-errors.js';
import { TICKET_ROUTES as R } from './ticket-route-specs.js';
import { TicketTransitionError, type TicketState } from '../tickets/ticket-states.js';
import type { SqliteTickets } from '../tickets/ticket-store.js';
import type { RunbookLookup, Ticket } from '../tickets/ticket-types.js';

export { MAX_TICKET_NOTE_LENGTH, MAX_TICKETS_LIMIT, TICKET_ROUTES } from './ticket-route-specs.js';
export { TICKET_SCHEMAS } from './ticket-schemas.js';

export interface TicketRouteDeps {
  tickets: SqliteTickets;
  /** A fault code's runbook from the agent's fault catalogue (the ticket's knowledge base). */
  runbook: RunbookLookup;
  now: () => Date;
  /**
   * The site code of a known agent, undefined for an unknown one. When given, a hand ticket for an unknown agent is
   * answered 404 and a known agent's site is filled in; without it, hand tickets carry no site.
   */
  agentSite?: (agentId: string) => string | undefined;
}

/** The API's auth hook (engineer-api.ts) puts the token's name here. */
type Engineer = FastifyRequest & { engineer?: string };
type Params = { id: string };
type NoteBody = { note?: string };

/** The HTTP status of a refusal from the store; undefined for anything else (the API's error handler takes it). */
function statusOf(err: unknown): number | undefined {
  if (err instanceof TicketNotFoundError) return 404;
  if (err instanceof TicketTransitionError || err instanceof TicketConflictError) return 409;
  if (err instanceof TicketInputError) return 400;
  return undefined;
}

/** Runs one store call and answers with its result, or with the refusal's status and message. */
function answer(reply: FastifyReply, status: number, fn: () => unknown): FastifyReply {
  let result: unknown;
  try {
    result = fn();
  } catch (err) {
    const refused = statusOf(err);
    if (refused === undefined) throw err;
    return reply.code(refused).send({ error: (err as Error).message });
  }
  return reply.code(status).send(result);
}

/** Who acts: the engineer the auth hook found (a route served without it is a wiring mistake, not the client's). */
function engineer(req: Engineer): string {
  if (!req.engineer) throw new Error('ticket routes need the engineer API auth hook (req.engineer)');
  return req.engineer;
}

/** The transition routes: the spec, and the store call with the request's body. */
const STEPS: { spec: RouteSpec; run: (t: SqliteTickets, id: string, body: any, by: string, at: string) => Ticket }[] = [
  { spec: R.ticketDispatch, run: (t, id, b: { assignee: string } & NoteBody, by, at) => t.dispatch(id, b.assignee, by, b.note ?? null, at) },
  { spec: R.ticketStart, run: (t, id, b: NoteBody, by, at) => t.start(id, by, b.note ?? null, at) },
  { spec: R.ticketResolve, run: (t, id, b: NoteBody, by, at) => t.resolve(id, by, b.note ?? null, at) },
  { spec: R.ticketFollowUp, run: (t, id, b: { satisfaction: number; comment?: string }, by, at) => t.followUp(id, { satisfaction: b.satisfaction, comment: b.comment ?? null }, by, at) },
  { spec: R.ticketClose, run: (t, id, b: NoteBody, by, at) => t.close(id, by, b.note ?? null, at) },
  { spec: R.ticketReopen, run: (t, id, b: NoteBody, by, at) => t.reopen(id, by, b.note ?? null, at) },
];

/**
 * The tickets' routes on the engineer API (specs in ticket-route-specs.ts). Register it on the API's fastify
 * instance, after its auth hook and validators: every step is recorded as `req.engineer`. A refusal is answered
 * here (404 unknown ticket, 409 a transition the state does not allow, 400 input), so the API's error handler
 * needs nothing for them.
 */
export function registerTicketRoutes(app: FastifyInstance, deps: TicketRouteDeps): void {
  const { tickets } = deps;
  const at = () => deps.now().toISOString();
  // A step without a body is a step without a note.
  const emptyBody = async (req: FastifyRequest) => void (req.body ??= {});

  app.route({
    ...routeOptions(R.ticketList),
    preValidation: splitLists(['state']),
    handler: async (req) => {
      const q = req.query as { state?: TicketState[]; assignee?: string; site?: string; agent?: string; limit: number };
      return {
        tickets: tickets.list({
          limit: q.limit,
          ...(q.state ? { state: [...new Set(q.state)] } : {}),
          ...(q.assignee ? { assignee: q.assignee } : {}),
          ...(q.site ? { site: q.site } : {}),
          ...(q.agent ? { agent: q.agent } : {}),
        }),
      };
    },
  });

  app.route({
    ...routeOptions(R.ticketGet),
    handler: async (req, reply) =>
      answer(reply, 200, () => {
        const { id } = req.params as Params;
        const steps = tickets.steps(id); // an unknown ticket is a TicketNotFoundError
        const ticket = tickets.get(id)!;
        const book = ticket.code ? deps.runbook(ticket.code) : undefined;
        // Only the runbook's fields: a lookup handing over a whole catalogue entry must not widen the answer.
        const knowledgeBase = book && ticket.code ? { code: ticket.code, causes: book.causes, operator: book.operator, engineer: book.engineer } : null;
        return { ticket, steps, knowledgeBase };
      }),
  });

  app.route({
    ...routeOptions(R.ticketOpen),
    handler: async (req: Engineer, reply) => {
      const b = req.body as { agentId: string; faultId?: string; code?: string; caller?: string; summary: string };
      const site = deps.agentSite ? deps.agentSite(b.agentId) : '';
      if (site === undefined) return reply.code(404).send({ error: `no agent ${b.agentId}` });
      const by = engineer(req);
      return answer(reply, 201, () => ({
        ticket: tickets.openByHand({ agentId: b.agentId, faultRef: b.faultId, code: b.code, caller: b.caller, summary: b.summary, siteCode: site, by }, at()),
      }));
    },
  });

  for (const s of STEPS) {
    app.route({
      ...routeOptions(s.spec),
      preValidation: emptyBody,
      handler: async (req: Engineer, reply) => {
        const by = engineer(req);
        return answer(reply, 200, () => ({ ticket: s.run(tickets, (req.params as Params).id, req.body, by, at()) }));
      },
    });
  }

  app.route({
    ...routeOptions(R.ticketNote),
    handler: async (req: Engineer, reply) => {
      const by = engineer(req);
      return answer(reply, 201, () => tickets.addNote((req.params as Params).id, by, (req.body as { note: string }).note, at()));
    },
  });
}
