/**
 * What the ticket store refuses besides a transition (TicketTransitionError, ticket-states.ts). Each carries the
 * HTTP status the API answers with, so any error handler that honours `statusCode` says the right thing.
 */

export class TicketNotFoundError extends Error {
  readonly statusCode = 404;

  constructor(readonly ticketId: string) {
    super(`no ticket ${ticketId}`);
    this.name = 'TicketNotFoundError';
  }
}

/** A hand ticket for an occurrence that has its ticket already: one ticket per occurrence. */
export class TicketConflictError extends Error {
  readonly statusCode = 409;

  constructor(message: string) {
    super(message);
    this.name = 'TicketConflictError';
  }
}

/** Input the store cannot take (the routes' schemas refuse it before; this guards other callers). */
export class TicketInputError extends Error {
  readonly statusCode = 400;

  constructor(message: string) {
    super(message);
    this.name = 'TicketInputError';
  }
}
