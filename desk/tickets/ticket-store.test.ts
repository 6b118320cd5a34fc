import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TicketConflictError, TicketInputError, TicketNotFoundError } from './ticket-errors.js';
import { TicketTransitionError } from './ticket-states.js';
import { SqliteTickets, TICKET_SCHEMA } from './ticket-store.js';
import type { FaultForTicket } from './ticket-types.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function tempPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'desk-tickets-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'desk.db');
}

function open(path = tempPath()): { tickets: SqliteTickets; db: Database.Database; path: string } {
  const db = new Database(path);
  cleanups.push(() => db.close());
  db.pragma('journal_mode = WAL');
  db.exec(TICKET_SCHEMA);
  return { tickets: new SqliteTickets(db), db, path };
}

const fault = (faultId: string, over: Partial<FaultForTicket> = {}): FaultForTicket => ({
  agentId: 'P44010600123-POS-01',
  faultId,
  code: 'READER_NOT_FOUND',
  severity: 'critical',
  siteCode: 'P44010600123',
  title: { zh: '读卡器未连接', en: 'Card reader not detected' },
  ...over,
});

/** Minutes after 2026-07-01T08:00Z, as the store's ISO strings. */
const t = (minutes: number) => new Date(Date.UTC(2026, 6, 1, 8, minutes)).toISOString();

const refusal = (fn: () => unknown): Error => {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a refusal');
};

describe('SqliteTickets', () => {
  it('creates no tables of its own: the desk schema (TICKET_SCHEMA) must be there', () => {
    const db = new Database(tempPath());
    cleanups.push(() => db.close());
    expect(() => new SqliteTickets(db)).toThrow(/no such table/);
  });

  it('opens one ticket per occurrence (agent, fault id), numbered T-000001 …', () => {
    const { tickets, db } = open();
    const first = tickets.openForFault(fault('3f2a9c1e'), t(0));
    expect(first).toMatchObject({ id: 'T-000001', origin: 'fault', state: 'opened', code: 'READER_NOT_FOUND', severity: 'critical', openedBy: 'agent', openedAt: t(0) });
    const again = tickets.openForFault(fault('3f2a9c1e', { severity: 'major' }), t(5));
    expect(again).toEqual(first);
    // Another agent's occurrence with the same id is another occurrence.
    const other = tickets.openForFault(fault('3f2a9c1e', { agentId: 'P44010600999-POS-02' }), t(6));
    expect(other.id).toBe('T-000002');
    expect(tickets.forFault('P44010600123-POS-01', '3f2a9c1e')?.id).toBe('T-000001');
    expect(tickets.forFault('P44010600123-POS-01', 'nope')).toBeUndefined();
    expect(tickets.steps('T-1').map((s) => s.kind)).toEqual(['open']);
    expect((db.prepare('SELECT COUNT(*) AS n FROM tickets').get() as { n: number }).n).toBe(2);
  });

  it('runs the whole loop, recording who did each step, when, and their notes; it is all there after reopening the file', () => {
    const { tickets, path } = open();
    const { id } = tickets.openForFault(fault('a1'), t(0));
    expect(tickets.dispatch(id, 'engineer-li', 'hotline-wang', '请尽快到场', t(2))).toMatchObject({ state: 'dispatched', assignee: 'engineer-li', dispatchedAt: t(2) });
    expect(tickets.start(id, 'engineer-li', null, t(30))).toMatchObject({ state: 'in_progress', startedAt: t(30) });
    tickets.addNote(id, 'engineer-li', '已更换 USB 线', t(40));
    expect(tickets.resolve(id, 'engineer-li', '读卡器恢复', t(45))).toMatchObject({ state: 'resolved', resolvedAt: t(45), resolvedBy: 'engineer-li' });
    expect(tickets.followUp(id, { satisfaction: 5, comment: '很快' }, 'hotline-zhao', t(120))).toMatchObject({ state: 'follow_up', satisfaction: 5, comment: '很快', followedUpAt: t(120) });
    const closed = tickets.close(id, 'hotline-zhao', null, t(121));
    expect(closed).toMatchObject({ state: 'closed', stateAt: t(121), closedAt: t(121), assignee: 'engineer-li' });

    const steps = tickets.steps(id).map(({ kind, from, to, by, at, note, assignee }) => ({ kind, from, to, by, at, note, assignee }));
    expect(steps).toEqual([
      { kind: 'open', from: null, to: 'opened', by: 'agent', at: t(0), note: null, assignee: null },
      { kind: 'dispatch', from: 'opened', to: 'dispatched', by: 'hotline-wang', at: t(2), note: '请尽快到场', assignee: 'engineer-li' },
      { kind: 'start', from: 'dispatched', to: 'in_progress', by: 'engineer-li', at: t(30), note: null, assignee: null },
      { kind: 'note', from: 'in_progress', to: 'in_progress', by: 'engineer-li', at: t(40), note: '已更换 USB 线', assignee: null },
      { kind: 'resolve', from: 'in_progress', to: 'resolved', by: 'engineer-li', at: t(45), note: '读卡器恢复', assignee: null },
      { kind: 'follow-up', from: 'resolved', to: 'follow_up', by: 'hotline-zhao', at: t(120), note: '很快', assignee: null },
      { kind: 'close', from: 'follow_up', to: 'closed', by: 'hotline-zhao', at: t(121), note: null, assignee: null },
    ]);

    const reread = open(path).tickets;
    expect(reread.get(id)).toEqual(closed);
    expect(reread.steps(id)).toHaveLength(7);
  });

  it('refuses what the state does not allow, saying why, and changes nothing', () => {
    const { tickets } = open();
    const { id } = tickets.openForFault(fault('b2'), t(0));
    const e = refusal(() => tickets.followUp(id, { satisfaction: 4 }, 'zhao', t(1)));
    expect(e).toBeInstanceOf(TicketTransitionError);
    expect(e.message).toBe('ticket T-000001 is "opened"; it must be resolved before a follow-up');
    expect(refusal(() => tickets.start(id, 'li', null, t(1))).message).toBe('ticket T-000001 is "opened"; it must be dispatched before it is started');
    expect(refusal(() => tickets.close(id, 'li', null, t(1))).message).toBe('ticket T-000001 is "opened"; it must be followed up before it is closed');
    expect(refusal(() => tickets.reopen(id, 'li', null, t(1))).message).toBe('ticket T-000001 is "opened"; only a resolved ticket can be reopened');
    expect(tickets.get(id)).toMatchObject({ state: 'opened', stateAt: t(0) });
    expect(tickets.steps(id)).toHaveLength(1);

    const missing = refusal(() => tickets.dispatch('T-000099', 'li', 'wang', null, t(1)));
    expect(missing).toBeInstanceOf(TicketNotFoundError);
    expect(missing.message).toBe('no ticket T-000099');
    expect(refusal(() => tickets.steps('bogus'))).toBeInstanceOf(TicketNotFoundError);
    expect(tickets.get('T-000099')).toBeUndefined();

    tickets.dispatch(id, 'li', 'wang', null, t(1));
    tickets.start(id, 'li', null, t(2));
    tickets.resolve(id, 'li', null, t(3));
    const score = refusal(() => tickets.followUp(id, { satisfaction: 6 }, 'zhao', t(4)));
    expect(score).toBeInstanceOf(TicketInputError);
    expect(score.message).toBe('satisfaction: 6 is not a whole number from 1 to 5');
    expect(refusal(() => tickets.dispatch(id, ' ', 'wang', null, t(4)))).toBeInstanceOf(TicketInputError);
    expect(refusal(() => tickets.addNote(id, 'li', '', t(4))).message).toBe('note: an empty note says nothing');
    expect(tickets.get(id)?.state).toBe('resolved');
  });

  it('reopens a resolved ticket: back in progress, the resolution cleared, the assignee kept (or whoever reopens it)', () => {
    const { tickets } = open();
    const { id } = tickets.openForFault(fault('c3'), t(0));
    tickets.dispatch(id, 'li', 'wang', null, t(1));
    tickets.dispatch(id, 'chen', 'wang', '改派', t(2)); // re-dispatch: the first dispatch time stays
    tickets.start(id, 'chen', null, t(3));
    tickets.resolve(id, 'chen', null, t(4));
    expect(tickets.reopen(id, 'zhao', '客户回电：仍无法读卡', t(10))).toMatchObject({ state: 'in_progress', assignee: 'chen', resolvedAt: null, resolvedBy: null, dispatchedAt: t(1), startedAt: t(3) });
    expect(tickets.resolve(id, 'chen', null, t(20))).toMatchObject({ resolvedAt: t(20) });

    // A ticket the terminal resolved before anyone had it: whoever reopens it takes it.
    const healed = tickets.openForFault(fault('c4'), t(0));
    tickets.faultResolved(healed.agentId, 'c4', t(1));
    expect(tickets.reopen(healed.id, 'zhao', null, t(2))).toMatchObject({ state: 'in_progress', assignee: 'zhao' });
  });

  it('resolves a ticket when its fault resolves on the terminal, unless it is resolved or further along', () => {
    const { tickets } = open();
    const agent = 'P44010600123-POS-01';
    const { id } = tickets.openForFault(fault('d4'), t(0));
    tickets.dispatch(id, 'li', 'wang', null, t(1));
    expect(tickets.faultResolved(agent, 'd4', t(5))).toMatchObject({ id, state: 'resolved', resolvedBy: 'agent', resolvedAt: t(5) });
    expect(tickets.faultResolved(agent, 'd4', t(6))).toBeUndefined();
    expect(tickets.steps(id).map((s) => [s.kind, s.by, s.at])).toEqual([
      ['open', 'agent', t(0)],
      ['dispatch', 'wang', t(1)],
      ['fault-resolved', 'agent', t(5)],
    ]);

    const later = tickets.openForFault(fault('d5'), t(0));
    tickets.dispatch(later.id, 'li', 'wang', null, t(1));
    tickets.start(later.id, 'li', null, t(2));
    tickets.resolve(later.id, 'li', null, t(3));
    tickets.followUp(later.id, { satisfaction: 3 }, 'zhao', t(4));
    expect(tickets.faultResolved(agent, 'd5', t(9))).toBeUndefined();
    expect(tickets.get(later.id)).toMatchObject({ state: 'follow_up', resolvedBy: 'li', resolvedAt: t(3) });
    expect(tickets.faultResolved(agent, 'no-ticket', t(9))).toBeUndefined();
  });

  it('opens tickets by hand for calls; one naming an occurrence is that occurrence\'s ticket', () => {
    const { tickets } = open();
    const call = tickets.openByHand({ agentId: 'P44010600123-POS-01', caller: '收银员 张 13800000000', summary: '刷卡没反应', code: 'READER_NOT_FOUND', faultRef: 'e5', by: 'wang' }, t(0));
    expect(call).toMatchObject({ origin: 'hand', state: 'opened', faultId: 'e5', code: 'READER_NOT_FOUND', severity: null, title: null, caller: '收银员 张 13800000000', summary: '刷卡没反应', openedBy: 'wang', siteCode: '' });
    // The fault arrives after the call: same ticket, the fault's details join it.
    const joined = tickets.openForFault(fault('e5'), t(3));
    expect(joined).toMatchObject({ id: call.id, origin: 'hand', severity: 'critical', siteCode: 'P44010600123', title: { zh: '读卡器未连接', en: 'Card reader not detected' } });
    expect(tickets.openForFault(fault('e5'), t(4))).toEqual(joined);
    expect(tickets.steps(call.id).map((s) => s.kind)).toEqual(['open', 'fault-linked']);

    const dup = refusal(() => tickets.openByHand({ agentId: 'P44010600123-POS-01', faultRef: 'e5', summary: 'again', by: 'wang' }, t(5)));
    expect(dup).toBeInstanceOf(TicketConflictError);
    expect(dup.message).toBe(`fault e5 of P44010600123-POS-01 has its ticket already: ${call.id} (add a note to it)`);
    expect(refusal(() => tickets.openByHand({ agentId: 'x', summary: '  ', by: 'wang' }, t(5)))).toBeInstanceOf(TicketInputError);
    // Without an occurrence, calls about the same agent are separate tickets.
    const a = tickets.openByHand({ agentId: 'P44010600123-POS-01', summary: '打印机卡纸', by: 'wang' }, t(6));
    const b = tickets.openByHand({ agentId: 'P44010600123-POS-01', summary: '打印机卡纸', by: 'wang' }, t(7));
    expect(a.id).not.toBe(b.id);
  });

  it('lists newest first, filtered by state, assignee, site and agent, up to the limit', () => {
    const { tickets } = open();
    const one = tickets.openForFault(fault('f1'), t(1));
    const two = tickets.openForFault(fault('f2', { agentId: 'P44010600999-POS-01', siteCode: 'P44010600999' }), t(2));
    const three = tickets.openByHand({ agentId: 'P44010600123-POS-01', siteCode: 'P44010600123', summary: '网络慢', by: 'wang' }, t(3));
    tickets.dispatch(one.id, 'li', 'wang', null, t(4));
    tickets.dispatch(two.id, 'chen', 'wang', null, t(4));
    const ids = (q: Parameters<SqliteTickets['list']>[0]) => tickets.list(q).map((x) => x.id);
    expect(ids({ limit: 10 })).toEqual([three.id, two.id, one.id]);
    expect(ids({ limit: 2 })).toEqual([three.id, two.id]);
    expect(ids({ state: ['dispatched'], limit: 10 })).toEqual([two.id, one.id]);
    expect(ids({ state: ['opened', 'closed'], limit: 10 })).toEqual([three.id]);
    expect(ids({ assignee: 'li', limit: 10 })).toEqual([one.id]);
    expect(ids({ site: 'P44010600123', limit: 10 })).toEqual([three.id, one.id]);
    expect(ids({ agent: 'P44010600999-POS-01', state: ['dispatched'], limit: 10 })).toEqual([two.id]);
  });

  it('gives the month\'s figures: opened by origin and state now, closures, follow-ups and satisfaction', () => {
    const { tickets } = open();
    const from = '2026-07-01T00:00:00.000Z';
    const to = '2026-08-01T00:00:00.000Z';
    const at = (day: number) => new Date(Date.UTC(2026, 6, day, 10)).toISOString();
    expect(tickets.figures(from, to)).toEqual({
      from,
      to,
      opened: { total: 0, fault: 0, hand: 0 },
      stateNow: { opened: 0, dispatched: 0, in_progress: 0, resolved: 0, follow_up: 0, closed: 0 },
      closed: 0,
      followUps: 0,
      satisfaction: { mean: null, distribution: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 } },
    });

    // Opened in June, followed up and closed in July: counts for July's follow-ups and closures, not its openings.
    const june = tickets.openForFault(fault('g0'), '2026-06-30T23:00:00.000Z');
    const through = (id: string, satisfaction: number, day: number, close: boolean) => {
      tickets.dispatch(id, 'li', 'wang', null, at(day));
      tickets.start(id, 'li', null, at(day));
      tickets.resolve(id, 'li', null, at(day));
      tickets.followUp(id, { satisfaction }, 'zhao', at(day + 1));
      if (close) tickets.close(id, 'zhao', null, at(day + 1));
    };
    through(june.id, 2, 1, true);
    through(tickets.openForFault(fault('g1'), at(2)).id, 5, 2, true);
    through(tickets.openForFault(fault('g2'), at(3)).id, 5, 3, false);
    tickets.openForFault(fault('g3'), at(4));
    tickets.openByHand({ agentId: 'P44010600123-POS-01', summary: '咨询', by: 'wang' }, at(5));
    const late = tickets.openByHand({ agentId: 'P44010600123-POS-01', summary: '咨询', by: 'wang' }, at(30));
    through(late.id, 4, 30, true); // followed up and closed on 31 July
    through(tickets.openForFault(fault('g9'), '2026-08-01T00:00:00.000Z').id, 1, 1 + 31, true); // August: outside

    const f = tickets.figures(from, to);
    expect(f.opened).toEqual({ total: 5, fault: 3, hand: 2 });
    expect(f.stateNow).toEqual({ opened: 2, dispatched: 0, in_progress: 0, resolved: 0, follow_up: 1, closed: 2 });
    expect(f.closed).toBe(3);
    expect(f.followUps).toBe(4);
    expect(f.satisfaction.distribution).toEqual({ 1: 0, 2: 1, 3: 0, 4: 1, 5: 2 });
    expect(f.satisfaction.mean).toBeCloseTo((2 + 5 + 5 + 4) / 4, 10);
  });
});
