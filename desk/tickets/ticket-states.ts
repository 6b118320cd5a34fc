/**
 * The hotline's closed loop as data: 受理 opened → 派单 dispatched → 处理 in_progress → 回复 resolved → 回访
 * follow_up → 关闭 closed. Which action may move a ticket from which state, and to where; nothing here touches a
 * database, so the store, the routes and the tests all read the same table.
 */

export const TICKET_STATES = ['opened', 'dispatched', 'in_progress', 'resolved', 'follow_up', 'closed'] as const;
export type TicketState = (typeof TICKET_STATES)[number];

/** What an engineer (or, for fault-resolved, the terminal) asks of a ticket. */
export const TICKET_ACTIONS = ['dispatch', 'start', 'resolve', 'fault-resolved', 'follow-up', 'close', 'reopen'] as const;
export type TicketAction = (typeof TICKET_ACTIONS)[number];

interface Rule {
  from: readonly TicketState[];
  to: TicketState;
  /** Completes `ticket T-… is "STATE"; …` when the action is asked in another state. */
  needs: string;
}

export const TRANSITIONS: Readonly<Record<TicketAction, Rule>> = {
  // Dispatching again while the ticket is open re-assigns it (改派); the new assignee starts it again.
  dispatch: { from: ['opened', 'dispatched', 'in_progress'], to: 'dispatched', needs: 'only a ticket not yet resolved can be dispatched' },
  start: { from: ['dispatched'], to: 'in_progress', needs: 'it must be dispatched before it is started' },
  resolve: { from: ['in_progress'], to: 'resolved', needs: 'it must be in progress before it is resolved' },
  // The terminal reporting the fault gone resolves its ticket from any earlier state (a fault that healed itself
  // is resolved whether or not anyone was sent).
  'fault-resolved': { from: ['opened', 'dispatched', 'in_progress'], to: 'resolved', needs: 'it is resolved already' },
  'follow-up': { from: ['resolved'], to: 'follow_up', needs: 'it must be resolved before a follow-up' },
  close: { from: ['follow_up'], to: 'closed', needs: 'it must be followed up before it is closed' },
  // Not fixed after all (the customer calls back): back to work, the follow-up still to come.
  reopen: { from: ['resolved'], to: 'in_progress', needs: 'only a resolved ticket can be reopened' },
};

/** How far along the loop a state is (opened 0 … closed 5). */
export const stateRank = (s: TicketState): number => TICKET_STATES.indexOf(s);

export const isTicketState = (s: string): s is TicketState => (TICKET_STATES as readonly string[]).includes(s);

export function canApply(state: TicketState, action: TicketAction): boolean {
  return TRANSITIONS[action].from.includes(state);
}

/** An action asked of a ticket in a state that does not allow it (the API answers 409 with the message). */
export class TicketTransitionError extends Error {
  readonly statusCode = 409;

  constructor(
    readonly ticketId: string,
    readonly state: TicketState,
    readonly action: TicketAction,
  ) {
    super(`ticket ${ticketId} is "${state}"; ${TRANSITIONS[action].needs}`);
    this.name = 'TicketTransitionError';
  }
}

/** The state the action leads to from the ticket's, or a TicketTransitionError naming the ticket, its state and the action. */
export function nextState(ticket: { id: string; state: TicketState }, action: TicketAction): TicketState {
  if (!canApply(ticket.state, action)) throw new TicketTransitionError(ticket.id, ticket.state, action);
  return TRANSITIONS[action].to;
}
