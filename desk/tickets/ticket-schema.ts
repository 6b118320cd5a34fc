import type { Severity } from '../../agent/core/severity.js';
import { formatTicketId } from './ticket-id.js';
import type { TicketState } from './ticket-states.js';
import type { Ticket, TicketOrigin, TicketStep, TicketStepKind } from './ticket-types.js';

/**
 * The tickets' SQLite tables, and how their rows read as Tickets and TicketSteps. Times are ISO-8601 UTC strings
 * (they sort as text). The desk's versioned schema includes TICKET_SCHEMA; SqliteTickets never creates tables.
 *
 * One ticket per occurrence: the partial unique index on (agent_id, fault_id) holds for fault tickets and for hand
 * tickets that name an occurrence alike. `num` is AUTOINCREMENT so a number read out on the phone is never reused.
 * The timestamps on the ticket are the first dispatch and start, and the current resolution (a reopen clears it);
 * every step, re-dispatches included, is in ticket_steps.
 */
export const TICKET_SCHEMA = `
CREATE TABLE IF NOT EXISTS tickets (
  num INTEGER PRIMARY KEY AUTOINCREMENT,
  origin TEXT NOT NULL CHECK (origin IN ('fault', 'hand')),
  state TEXT NOT NULL,
  agent_id TEXT NOT NULL, site_code TEXT NOT NULL DEFAULT '',
  fault_id TEXT, code TEXT, severity TEXT, title_zh TEXT, title_en TEXT,
  summary TEXT, caller TEXT,
  assignee TEXT,
  satisfaction INTEGER CHECK (satisfaction BETWEEN 1 AND 5), comment TEXT,
  opened_at TEXT NOT NULL, opened_by TEXT NOT NULL, state_at TEXT NOT NULL,
  dispatched_at TEXT, started_at TEXT, resolved_at TEXT, resolved_by TEXT, followed_up_at TEXT, closed_at TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS tickets_occurrence ON tickets(agent_id, fault_id) WHERE fault_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS tickets_state ON tickets(state);
CREATE INDEX IF NOT EXISTS tickets_assignee ON tickets(assignee, state);
CREATE INDEX IF NOT EXISTS tickets_site ON tickets(site_code);
CREATE INDEX IF NOT EXISTS tickets_opened ON tickets(opened_at);
CREATE INDEX IF NOT EXISTS tickets_closed ON tickets(closed_at);
CREATE INDEX IF NOT EXISTS tickets_followed_up ON tickets(followed_up_at);
CREATE TABLE IF NOT EXISTS ticket_steps (
  id INTEGER PRIMARY KEY,
  ticket_num INTEGER NOT NULL REFERENCES tickets(num),
  kind TEXT NOT NULL, from_state TEXT, to_state TEXT NOT NULL,
  by TEXT NOT NULL, at TEXT NOT NULL, note TEXT, assignee TEXT
);
CREATE INDEX IF NOT EXISTS ticket_steps_ticket ON ticket_steps(ticket_num, id);
`;

/** The columns a transition may change (the store builds its UPDATE from these names only). */
export type TicketColumn =
  | 'state'
  | 'state_at'
  | 'assignee'
  | 'satisfaction'
  | 'comment'
  | 'dispatched_at'
  | 'started_at'
  | 'resolved_at'
  | 'resolved_by'
  | 'followed_up_at'
  | 'closed_at'
  | 'code'
  | 'severity'
  | 'title_zh'
  | 'title_en'
  | 'site_code';

export type TicketRecord = Record<string, any>;

export function toTicket(r: TicketRecord): Ticket {
  return {
    id: formatTicketId(r.num),
    origin: r.origin as TicketOrigin,
    state: r.state as TicketState,
    agentId: r.agent_id,
    siteCode: r.site_code,
    faultId: r.fault_id,
    code: r.code,
    severity: r.severity as Severity | null,
    title: r.title_zh === null ? null : { zh: r.title_zh, en: r.title_en ?? r.title_zh },
    summary: r.summary,
    caller: r.caller,
    assignee: r.assignee,
    satisfaction: r.satisfaction,
    comment: r.comment,
    openedAt: r.opened_at,
    openedBy: r.opened_by,
    stateAt: r.state_at,
    dispatchedAt: r.dispatched_at,
    startedAt: r.started_at,
    resolvedAt: r.resolved_at,
    resolvedBy: r.resolved_by,
    followedUpAt: r.followed_up_at,
    closedAt: r.closed_at,
  };
}

export function toStep(r: TicketRecord): TicketStep {
  return {
    id: r.id,
    ticketId: formatTicketId(r.ticket_num),
    kind: r.kind as TicketStepKind,
    from: r.from_state as TicketState | null,
    to: r.to_state as TicketState,
    by: r.by,
    at: r.at,
    note: r.note,
    assignee: r.assignee,
  };
}
