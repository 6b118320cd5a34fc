import { describe, expect, it } from 'vitest';
import { formatTicketId, parseTicketId } from './ticket-id.js';
import { canApply, nextState, stateRank, TICKET_ACTIONS, TICKET_STATES, TicketTransitionError, TRANSITIONS, type TicketAction, type TicketState } from './ticket-states.js';

const ticket = (state: TicketState) => ({ id: 'T-000042', state });

describe('ticket states', () => {
  it('runs the closed loop opened → dispatched → in_progress → resolved → follow_up → closed', () => {
    const loop: TicketAction[] = ['dispatch', 'start', 'resolve', 'follow-up', 'close'];
    let state: TicketState = 'opened';
    const seen: TicketState[] = [state];
    for (const action of loop) seen.push((state = nextState(ticket(state), action)));
    expect(seen).toEqual([...TICKET_STATES]);
  });

  it('allows reopening a resolved ticket, re-dispatching an open one, and the terminal resolving from any earlier state', () => {
    expect(nextState(ticket('resolved'), 'reopen')).toBe('in_progress');
    expect(nextState(ticket('in_progress'), 'dispatch')).toBe('dispatched');
    expect(nextState(ticket('dispatched'), 'dispatch')).toBe('dispatched');
    for (const s of ['opened', 'dispatched', 'in_progress'] as const) expect(nextState(ticket(s), 'fault-resolved')).toBe('resolved');
    for (const s of ['resolved', 'follow_up', 'closed'] as const) expect(canApply(s, 'fault-resolved')).toBe(false);
  });

  it('refuses the rest with an error naming the ticket, its state and what was asked', () => {
    const refuse = (state: TicketState, action: TicketAction) => {
      try {
        nextState(ticket(state), action);
      } catch (err) {
        expect(err).toBeInstanceOf(TicketTransitionError);
        const e = err as TicketTransitionError;
        expect([e.ticketId, e.state, e.action, e.statusCode]).toEqual(['T-000042', state, action, 409]);
        return e.message;
      }
      throw new Error(`${action} from ${state} was allowed`);
    };
    expect(refuse('opened', 'follow-up')).toBe('ticket T-000042 is "opened"; it must be resolved before a follow-up');
    expect(refuse('opened', 'start')).toBe('ticket T-000042 is "opened"; it must be dispatched before it is started');
    expect(refuse('dispatched', 'resolve')).toBe('ticket T-000042 is "dispatched"; it must be in progress before it is resolved');
    expect(refuse('resolved', 'close')).toBe('ticket T-000042 is "resolved"; it must be followed up before it is closed');
    expect(refuse('closed', 'reopen')).toBe('ticket T-000042 is "closed"; only a resolved ticket can be reopened');
    expect(refuse('follow_up', 'dispatch')).toBe('ticket T-000042 is "follow_up"; only a ticket not yet resolved can be dispatched');
    // Every pair the table does not list is refused; a closed ticket takes no action at all.
    let refused = 0;
    for (const s of TICKET_STATES) for (const a of TICKET_ACTIONS) if (!TRANSITIONS[a].from.includes(s)) refuse(s, a), refused++;
    expect(refused).toBe(TICKET_STATES.length * TICKET_ACTIONS.length - TICKET_ACTIONS.reduce((n, a) => n + TRANSITIONS[a].from.length, 0));
    expect(TICKET_ACTIONS.filter((a) => canApply('closed', a))).toEqual([]);
  });

  it('only ever moves forward, except reopen and re-dispatch', () => {
    for (const a of TICKET_ACTIONS) {
      for (const from of TRANSITIONS[a].from) {
        const back = stateRank(TRANSITIONS[a].to) < stateRank(from);
        expect(back, `${a} from ${from}`).toBe(a === 'reopen' || (a === 'dispatch' && from === 'in_progress'));
      }
    }
  });

  it('formats ids T-000042 and reads them long or short', () => {
    expect(formatTicketId(42)).toBe('T-000042');
    expect(formatTicketId(1_234_567)).toBe('T-1234567');
    for (const t of ['T-000042', 'T-42', 't-42', '42', ' T42 ']) expect(parseTicketId(t), t).toBe(42);
    for (const t of ['', 'T-', 'T-0', 'X-42', '4.2', 'T-42a']) expect(parseTicketId(t), t).toBeUndefined();
  });
});
