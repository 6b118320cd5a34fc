import type { Severity } from '../../agent/core/severity.js';
import type { Text } from '../../agent/core/text.js';
import type { TicketAction, TicketState } from './ticket-states.js';

/** What the tickets module stores and answers: a ticket, its steps, the query, the monthly figures. */

/** 'fault': opened for a fault occurrence the desk received; 'hand': opened by the hotline for a phone call. */
export type TicketOrigin = 'fault' | 'hand';

export interface Ticket {
  /** `T-` and the ticket's number, zero-padded to 6 digits: T-000042. */
  id: string;
  origin: TicketOrigin;
  state: TicketState;
  agentId: string;
  /** The institution code (fixmedins_code); '' when not known (a hand ticket for an agent the desk has not seen). */
  siteCode: string;
  /** The occurrence (the agent's id for it): always for a fault ticket, when the caller's problem is one for a hand ticket. */
  faultId: string | null;
  /** The fault code, whose runbook the ticket shows. */
  code: string | null;
  severity: Severity | null;
  title: Text | null;
  /** A hand ticket: what the caller described. */
  summary: string | null;
  /** A hand ticket: who called, and how to reach them. */
  caller: string | null;
  assignee: string | null;
  /** From the follow-up (回访): 1 (very unsatisfied) … 5 (very satisfied), and what the customer said. */
  satisfaction: number | null;
  comment: string | null;
  openedAt: string;
  openedBy: string;
  /** When the ticket entered its current state. */
  stateAt: string;
  dispatchedAt: string | null;
  startedAt: string | null;
  resolvedAt: string | null;
  /** The engineer, or 'agent' when the terminal reported the fault gone. */
  resolvedBy: string | null;
  followedUpAt: string | null;
  closedAt: string | null;
}

/** A step: a transition, the opening, a note, or a fault joining a ticket opened by hand before it. */
export type TicketStepKind = 'open' | TicketAction | 'note' | 'fault-linked';

export interface TicketStep {
  id: number;
  ticketId: string;
  kind: TicketStepKind;
  /** State before and after (equal for notes). */
  from: TicketState | null;
  to: TicketState;
  by: string;
  at: string;
  note: string | null;
  /** A dispatch: whom it went to. */
  assignee: string | null;
}

/** The occurrence a fault ticket is opened for, as the desk's faults table has it. */
export interface FaultForTicket {
  agentId: string;
  faultId: string;
  code: string;
  severity: Severity;
  siteCode: string;
  title: Text;
}

/** A ticket the hotline opens for a call. */
export interface HandTicketInput {
  agentId: string;
  /** The occurrence the call is about, if the desk has it; at most one ticket per occurrence. */
  faultRef?: string | undefined;
  /** The fault code the problem matches (shows its runbook) when there is no occurrence to take it from. */
  code?: string | undefined;
  siteCode?: string | undefined;
  caller?: string | undefined;
  summary: string;
  by: string;
}

export interface TicketQuery {
  state?: TicketState[];
  assignee?: string;
  site?: string;
  agent?: string;
  limit: number;
}

export type Satisfaction = 1 | 2 | 3 | 4 | 5;

export interface FollowUp {
  satisfaction: number;
  comment?: string | null | undefined;
}

/**
 * The tickets' part of the monthly service report for [from, to). `opened` and `stateNow` count the tickets opened
 * in the range; `closed`, `followUps` and `satisfaction` what happened in it (whenever those tickets were opened).
 */
export interface TicketFigures {
  from: string;
  to: string;
  opened: { total: number; fault: number; hand: number };
  stateNow: Record<TicketState, number>;
  closed: number;
  followUps: number;
  satisfaction: { mean: number | null; distribution: Record<`${Satisfaction}`, number> };
}

/** A fault code's runbook (知识库), from the agent's fault catalogue. */
export interface Runbook {
  causes: Text[];
  operator: Text;
  engineer: Text;
}

export type RunbookLookup = (code: string) => Runbook | undefined;
