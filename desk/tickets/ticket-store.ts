import type Database from 'better-sqlite3';
import { TicketConflictError, TicketInputError, TicketNotFoundError } from './ticket-errors.js';
import { ticketFigures } from './ticket-figures.js';
import { formatTicketId, parseTicketId } from './ticket-id.js';
import { toStep, toTicket, type TicketColumn, type TicketRecord } from './ticket-schema.js';
import { canApply, nextState, type TicketAction } from './ticket-states.js';
import type { FaultForTicket, FollowUp, HandTicketInput, Ticket, TicketFigures, TicketQuery, TicketStep, TicketStepKind } from './ticket-types.js';

export { TICKET_SCHEMA } from './ticket-schema.js';

/** Who a step is recorded as when the terminal did it (opened for its fault, resolved because it healed). */
export const AGENT_ACTOR = 'agent';

type Patch = Partial<Record<TicketColumn, string | number | null>>;

const text = (v: string | null | undefined): string | null => (v === undefined || v === null || v.trim() === '' ? null : v);

/**
 * The desk's tickets on its SQLite database (TICKET_SCHEMA must be in it). Synchronous like the rest of the store;
 * each change is one IMMEDIATE transaction (a savepoint inside the caller's), so the check of the state and the
 * move cannot be split by another writer. Refusals are errors: TicketNotFoundError, TicketTransitionError,
 * TicketConflictError, TicketInputError.
 */
export class SqliteTickets {
  private readonly s;
  /** Told of every step, inside its transaction (the outbound ticket integration queues it there). */
  onStep: ((ticket: Ticket, step: TicketStep) => void) | undefined;

  constructor(private readonly db: Database.Database) {
    this.s = {
      get: db.prepare(`SELECT * FROM tickets WHERE num = ?`),
      byFault: db.prepare(`SELECT * FROM tickets WHERE agent_id = ? AND fault_id = ?`),
      insert: db.prepare(`INSERT INTO tickets (origin, state, agent_id, site_code, fault_id, code, severity, title_zh, title_en, summary, caller, opened_at, opened_by, state_at)
        VALUES (@origin, 'opened', @agent_id, @site_code, @fault_id, @code, @severity, @title_zh, @title_en, @summary, @caller, @at, @by, @at)`),
      step: db.prepare(`INSERT INTO ticket_steps (ticket_num, kind, from_state, to_state, by, at, note, assignee) VALUES (@num, @kind, @from, @to, @by, @at, @note, @assignee)`),
      steps: db.prepare(`SELECT * FROM ticket_steps WHERE ticket_num = ? ORDER BY id`),
    };
  }

  /** The ticket of a fault occurrence, opened on first sight; the same occurrence again returns its ticket as it is. */
  openForFault(fault: FaultForTicket, at: string): Ticket {
    return this.tx(() => {
      const existing = this.s.byFault.get(fault.agentId, fault.faultId) as TicketRecord | undefined;
      if (existing) return this.completeHandTicket(existing, fault, at);
      const { lastInsertRowid } = this.s.insert.run({
        origin: 'fault',
        agent_id: fault.agentId,
        site_code: fault.siteCode,
        fault_id: fault.faultId,
        code: fault.code,
        severity: fault.severity,
        title_zh: fault.title.zh,
        title_en: fault.title.en,
        summary: null,
        caller: null,
        at,
        by: AGENT_ACTOR,
      });
      const num = Number(lastInsertRowid);
      this.record(num, 'open', null, 'opened', AGENT_ACTOR, at, null);
      return this.load(num);
    });
  }

  /** A ticket for a phone call. Naming an occurrence that has its ticket already is a TicketConflictError. */
  openByHand(input: HandTicketInput, at: string): Ticket {
    const summary = text(input.summary);
    if (!summary) throw new TicketInputError('summary: a hand ticket says what the caller reported');
    if (!text(input.by)) throw new TicketInputError('by: who opened the ticket is required');
    const faultId = text(input.faultRef);
    return this.tx(() => {
      const existing = faultId ? (this.s.byFault.get(input.agentId, faultId) as TicketRecord | undefined) : undefined;
      if (existing) throw new TicketConflictError(`fault ${faultId} of ${input.agentId} has its ticket already: ${formatTicketId(existing.num)} (add a note to it)`);
      const { lastInsertRowid } = this.s.insert.run({
        origin: 'hand',
        agent_id: input.agentId,
        site_code: input.siteCode ?? '',
        fault_id: faultId,
        code: text(input.code),
        severity: null,
        title_zh: null,
        title_en: null,
        summary,
        caller: text(input.caller),
        at,
        by: input.by,
      });
      const num = Number(lastInsertRowid);
      this.record(num, 'open', null, 'opened', input.by, at, null);
      return this.load(num);
    });
  }

  /** A ticket by its id (T-000042, T-42 or 42); undefined when there is none. */
  get(id: string): Ticket | undefined {
    const num = parseTicketId(id);
    const r = num === undefined ? undefined : (this.s.get.get(num) as TicketRecord | undefined);
    return r ? toTicket(r) : undefined;
  }

  forFault(agentId: string, faultId: string): Ticket | undefined {
    const r = this.s.byFault.get(agentId, faultId) as TicketRecord | undefined;
    return r ? toTicket(r) : undefined;
  }

  /** Newest first. */
  list(q: TicketQuery): Ticket[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.state?.length) where.push(`state IN (${q.state.map(() => '?').join(',')})`), args.push(...q.state);
    if (q.assignee) where.push('assignee = ?'), args.push(q.assignee);
    if (q.site) where.push('site_code = ?'), args.push(q.site);
    if (q.agent) where.push('agent_id = ?'), args.push(q.agent);
    const sql = `SELECT * FROM tickets ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY opened_at DESC, num DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...args, q.limit) as TicketRecord[]).map(toTicket);
  }

  /** Sends the ticket to an engineer (派单); again while open, to another one (改派). */
  dispatch(id: string, assignee: string, by: string, note: string | null, at: string): Ticket {
    const name = text(assignee);
    if (!name) throw new TicketInputError('assignee: whom the ticket is dispatched to is required');
    return this.move(id, 'dispatch', by, note, at, (r) => ({ assignee: name, dispatched_at: r.dispatched_at ?? at }), name);
  }

  start(id: string, by: string, note: string | null, at: string): Ticket {
    return this.move(id, 'start', by, note, at, (r) => ({ started_at: r.started_at ?? at }));
  }

  /** The engineer's reply (回复): fixed, and what was done. */
  resolve(id: string, by: string, note: string | null, at: string): Ticket {
    return this.move(id, 'resolve', by, note, at, () => ({ resolved_at: at, resolved_by: by }));
  }

  /**
   * The terminal reported the occurrence resolved: its ticket moves to resolved, by 'agent', unless it is resolved
   * or further along already. Returns the ticket when it moved, undefined otherwise (no ticket, or nothing to do).
   */
  faultResolved(agentId: string, faultId: string, at: string): Ticket | undefined {
    return this.tx(() => {
      const r = this.s.byFault.get(agentId, faultId) as TicketRecord | undefined;
      if (!r || !canApply(r.state, 'fault-resolved')) return undefined;
      return this.move(formatTicketId(r.num), 'fault-resolved', AGENT_ACTOR, null, at, () => ({ resolved_at: at, resolved_by: AGENT_ACTOR }));
    });
  }

  /** The follow-up call (回访): the customer's satisfaction, 1 … 5, and what they said. */
  followUp(id: string, f: FollowUp, by: string, at: string): Ticket {
    if (!Number.isInteger(f.satisfaction) || f.satisfaction < 1 || f.satisfaction > 5) throw new TicketInputError(`satisfaction: ${f.satisfaction} is not a whole number from 1 to 5`);
    const comment = text(f.comment);
    return this.move(id, 'follow-up', by, comment, at, () => ({ satisfaction: f.satisfaction, comment, followed_up_at: at }));
  }

  close(id: string, by: string, note: string | null, at: string): Ticket {
    return this.move(id, 'close', by, note, at, () => ({ closed_at: at }));
  }

  /** Not fixed after all: back in progress, the resolution cleared; whoever reopens it takes it when nobody had it. */
  reopen(id: string, by: string, note: string | null, at: string): Ticket {
    return this.move(id, 'reopen', by, note, at, (r) => ({ resolved_at: null, resolved_by: null, assignee: r.assignee ?? by }));
  }

  /** A note in any state; the state does not change. */
  addNote(id: string, by: string, note: string, at: string): { ticket: Ticket; step: TicketStep } {
    const said = text(note);
    if (!said) throw new TicketInputError('note: an empty note says nothing');
    return this.tx(() => {
      const r = this.row(id);
      const step = this.record(r.num, 'note', r.state, r.state, by, at, said);
      return { ticket: toTicket(r), step };
    });
  }

  /** Everything that happened to the ticket, in order. */
  steps(id: string): TicketStep[] {
    return (this.s.steps.all(this.row(id).num) as TicketRecord[]).map(toStep);
  }

  figures(from: string, to: string): TicketFigures {
    return ticketFigures(this.db, from, to);
  }

  private tx<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  private row(id: string): TicketRecord {
    const num = parseTicketId(id);
    const r = num === undefined ? undefined : (this.s.get.get(num) as TicketRecord | undefined);
    if (!r) throw new TicketNotFoundError(num === undefined ? id : formatTicketId(num));
    return r;
  }

  private load(num: number): Ticket {
    return toTicket(this.s.get.get(num) as TicketRecord);
  }

  private record(num: number, kind: TicketStepKind, from: string | null, to: string, by: string, at: string, note: string | null, assignee: string | null = null): TicketStep {
    const { lastInsertRowid } = this.s.step.run({ num, kind, from, to, by, at, note: text(note), assignee });
    const step = toStep({ id: Number(lastInsertRowid), ticket_num: num, kind, from_state: from, to_state: to, by, at, note: text(note), assignee });
    this.onStep?.(this.load(num), step);
    return step;
  }

  /** One transition: the rule checked against the stored state, the columns changed, the step recorded. */
  private move(id: string, action: TicketAction, by: string, note: string | null, at: string, patch: (r: TicketRecord) => Patch, assignee: string | null = null): Ticket {
    if (!text(by)) throw new TicketInputError('by: who acts on the ticket is required');
    return this.tx(() => {
      const r = this.row(id);
      const to = nextState({ id: formatTicketId(r.num), state: r.state }, action);
      this.update(r.num, { ...patch(r), state: to, state_at: at });
      this.record(r.num, action, r.state, to, by, at, note, assignee);
      return this.load(r.num);
    });
  }

  private update(num: number, patch: Patch): void {
    const cols = Object.keys(patch) as TicketColumn[];
    this.db.prepare(`UPDATE tickets SET ${cols.map((c) => `${c} = @${c}`).join(', ')} WHERE num = @num`).run({ ...patch, num });
  }

  /** A hand ticket named this occurrence before the desk had it: the fault's details join it (once). */
  private completeHandTicket(r: TicketRecord, fault: FaultForTicket, at: string): Ticket {
    if (r.origin !== 'hand' || r.severity !== null) return toTicket(r);
    this.update(r.num, {
      code: r.code ?? fault.code,
      severity: fault.severity,
      title_zh: fault.title.zh,
      title_en: fault.title.en,
      site_code: r.site_code || fault.siteCode,
    });
    this.record(r.num, 'fault-linked', r.state, r.state, AGENT_ACTOR, at, `${fault.code} ${fault.title.zh}`);
    return this.load(r.num);
  }
}
