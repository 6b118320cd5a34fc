import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { faults as readerFaults } from '../../agent/checks/reader/faults.js';
import { TICKET_ROUTES, registerTicketRoutes, type TicketRouteDeps } from './ticket-routes.js';
import { SqliteTickets, TICKET_SCHEMA } from '../tickets/ticket-store.js';
import type { RunbookLookup } from '../tickets/ticket-types.js';
import { ticketTestApp } from './test-support/ticket-test-app.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const AGENT = 'P44010600123-POS-01';
const KNOWN_AGENTS = new Map([[AGENT, 'P44010600123']]);
/** The reader plugin's fault catalogue as the knowledge base (the lead passes the whole catalogue). */
const catalogue = new Map(readerFaults.map((f) => [f.code, f]));
const runbook: RunbookLookup = (code) => catalogue.get(code);
const readerNotFound = catalogue.get('READER_NOT_FOUND')!;

async function api(extra: Partial<TicketRouteDeps> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'desk-ticket-routes-'));
  const db = new Database(join(dir, 'desk.db'));
  db.exec(TICKET_SCHEMA);
  cleanups.push(
    () => rmSync(dir, { recursive: true, force: true }),
    () => void db.close(),
  );
  const tickets = new SqliteTickets(db);
  let clock = Date.parse('2026-07-01T08:00:00.000Z');
  const app: FastifyInstance = ticketTestApp();
  registerTicketRoutes(app, { tickets, runbook, now: () => new Date((clock += 60_000)), ...extra });
  await app.ready();
  cleanups.push(() => app.close());
  const call = async (method: 'GET' | 'POST', url: string, as = 'engineer-li', payload?: object) => {
    const res = await app.inject({ method, url, headers: { authorization: `Bearer ${as}` }, ...(payload ? { payload } : {}) });
    return { status: res.statusCode, body: res.json() };
  };
  const fault = (faultId: string) =>
    tickets.openForFault({ agentId: AGENT, faultId, code: 'READER_NOT_FOUND', severity: 'critical', siteCode: 'P44010600123', title: readerNotFound.title }, '2026-07-01T07:59:00.000Z');
  return { app, call, tickets, fault };
}

describe('ticket routes', () => {
  it('serves every route of TICKET_ROUTES', async () => {
    const { app } = await api();
    for (const spec of Object.values(TICKET_ROUTES)) expect(app.hasRoute({ method: spec.method, url: spec.url }), `${spec.method} ${spec.url}`).toBe(true);
  });

  it('shows a fault ticket with its steps and its code\'s runbook, and takes it round the loop as the calling engineer', async () => {
    const { call, fault } = await api();
    const { id } = fault('3f2a9c1e');
    const shown = await call('GET', `/api/v1/tickets/${id}`);
    expect(shown.status).toBe(200);
    expect(shown.body.ticket).toMatchObject({ id, state: 'opened', code: 'READER_NOT_FOUND', origin: 'fault' });
    expect(shown.body.knowledgeBase).toEqual({ code: 'READER_NOT_FOUND', causes: readerNotFound.causes, operator: readerNotFound.operator, engineer: readerNotFound.engineer });

    const dispatched = await call('POST', `/api/v1/tickets/${id}/dispatch`, 'hotline-wang', { assignee: 'engineer-li', note: '请到场' });
    expect(dispatched).toMatchObject({ status: 200, body: { ticket: { state: 'dispatched', assignee: 'engineer-li' } } });
    expect((await call('POST', `/api/v1/tickets/${id}/start`, 'engineer-li')).body.ticket.state).toBe('in_progress'); // no body: no note
    const note = await call('POST', `/api/v1/tickets/${id}/notes`, 'engineer-li', { note: '换了 USB 口' });
    expect(note).toMatchObject({ status: 201, body: { ticket: { state: 'in_progress' }, step: { kind: 'note', by: 'engineer-li', note: '换了 USB 口' } } });
    expect((await call('POST', `/api/v1/tickets/${id}/resolve`, 'engineer-li', { note: '已恢复' })).body.ticket.state).toBe('resolved');
    expect((await call('POST', `/api/v1/tickets/${id}/reopen`, 'hotline-zhao', { note: '客户说还不行' })).body.ticket.state).toBe('in_progress');
    expect((await call('POST', `/api/v1/tickets/${id}/resolve`, 'engineer-li', {})).body.ticket.state).toBe('resolved');
    const followed = await call('POST', `/api/v1/tickets/${id}/follow-up`, 'hotline-zhao', { satisfaction: 4, comment: '满意' });
    expect(followed.body.ticket).toMatchObject({ state: 'follow_up', satisfaction: 4, comment: '满意' });
    expect((await call('POST', `/api/v1/tickets/${id}/close`, 'hotline-zhao')).body.ticket.state).toBe('closed');

    const after = (await call('GET', `/api/v1/tickets/T-${Number(id.slice(2))}`)).body;
    expect(after.ticket).toMatchObject({ id, state: 'closed', assignee: 'engineer-li', satisfaction: 4 });
    expect(after.steps.map((s: { kind: string; by: string }) => `${s.kind}:${s.by}`)).toEqual([
      'open:agent',
      'dispatch:hotline-wang',
      'start:engineer-li',
      'note:engineer-li',
      'resolve:engineer-li',
      'reopen:hotline-zhao',
      'resolve:engineer-li',
      'follow-up:hotline-zhao',
      'close:hotline-zhao',
    ]);
    // The clock the routes were given, one minute per call: the steps are in time order.
    const times = after.steps.slice(1).map((s: { at: string }) => s.at);
    expect(times).toEqual([...times].sort());
    expect(new Set(times).size).toBe(times.length);
  });

  it('opens tickets by hand for a call, refusing an unknown agent and a second ticket for an occurrence', async () => {
    const { call, fault } = await api({ agentSite: (id) => KNOWN_AGENTS.get(id) });
    const opened = await call('POST', '/api/v1/tickets', 'hotline-wang', { agentId: AGENT, caller: '张女士 13800000000', summary: '刷卡没反应', code: 'READER_NOT_FOUND' });
    expect(opened.status).toBe(201);
    expect(opened.body.ticket).toMatchObject({ origin: 'hand', state: 'opened', agentId: AGENT, siteCode: 'P44010600123', openedBy: 'hotline-wang', caller: '张女士 13800000000', summary: '刷卡没反应' });
    expect((await call('GET', `/api/v1/tickets/${opened.body.ticket.id}`)).body.knowledgeBase.code).toBe('READER_NOT_FOUND');

    const plain = await call('POST', '/api/v1/tickets', 'hotline-wang', { agentId: AGENT, summary: '咨询报销比例' });
    expect((await call('GET', `/api/v1/tickets/${plain.body.ticket.id}`)).body.knowledgeBase).toBeNull();
    const unknownCode = await call('POST', '/api/v1/tickets', 'hotline-wang', { agentId: AGENT, summary: '其他', code: 'NOT_IN_CATALOGUE' });
    expect((await call('GET', `/api/v1/tickets/${unknownCode.body.ticket.id}`)).body.knowledgeBase).toBeNull();

    expect(await call('POST', '/api/v1/tickets', 'hotline-wang', { agentId: 'P99-POS-09', summary: 'x' })).toEqual({ status: 404, body: { error: 'no agent P99-POS-09' } });
    const existing = fault('3f2a9c1e');
    expect(await call('POST', '/api/v1/tickets', 'hotline-wang', { agentId: AGENT, faultId: '3f2a9c1e', summary: 'x' })).toEqual({
      status: 409,
      body: { error: `fault 3f2a9c1e of ${AGENT} has its ticket already: ${existing.id} (add a note to it)` },
    });
  });

  it('lists tickets filtered by state, assignee and agent', async () => {
    const { call, fault } = await api();
    const a = fault('aaaa0001');
    const b = fault('aaaa0002');
    fault('aaaa0003');
    await call('POST', `/api/v1/tickets/${a.id}/dispatch`, 'hotline-wang', { assignee: 'engineer-li' });
    await call('POST', `/api/v1/tickets/${b.id}/dispatch`, 'hotline-wang', { assignee: 'engineer-chen' });
    await call('POST', `/api/v1/tickets/${b.id}/start`, 'engineer-chen');
    const ids = async (q: string) => ((await call('GET', `/api/v1/tickets${q}`)).body.tickets as { id: string }[]).map((t) => t.id);
    expect(await ids('')).toHaveLength(3);
    expect(await ids('?state=dispatched,in_progress')).toEqual([b.id, a.id]);
    expect(await ids('?state=dispatched&state=in_progress&assignee=engineer-chen')).toEqual([b.id]);
    expect(await ids(`?agent=${AGENT}&limit=1`)).toHaveLength(1);
    expect(await ids('?agent=someone-else')).toEqual([]);
  });

  it('answers 404 for an unknown ticket, 409 with the state for a step it does not allow, 400 naming the field', async () => {
    const { call, fault } = await api();
    const { id } = fault('bbbb0001');
    expect(await call('GET', '/api/v1/tickets/T-000099')).toEqual({ status: 404, body: { error: 'no ticket T-000099' } });
    expect(await call('POST', '/api/v1/tickets/99/dispatch', 'wang', { assignee: 'li' })).toEqual({ status: 404, body: { error: 'no ticket T-000099' } });
    expect(await call('POST', `/api/v1/tickets/${id}/follow-up`, 'zhao', { satisfaction: 5 })).toEqual({
      status: 409,
      body: { error: `ticket ${id} is "opened"; it must be resolved before a follow-up` },
    });
    expect(await call('POST', `/api/v1/tickets/${id}/close`, 'zhao')).toEqual({ status: 409, body: { error: `ticket ${id} is "opened"; it must be followed up before it is closed` } });

    const bad = async (method: 'GET' | 'POST', url: string, payload?: object) => {
      const r = await call(method, url, 'zhao', payload);
      expect(r.status, url).toBe(400);
      return r.body.error as string;
    };
    expect(await bad('POST', `/api/v1/tickets/${id}/follow-up`, { satisfaction: 6 })).toBe('satisfaction: 6 must be <= 5');
    expect(await bad('POST', `/api/v1/tickets/${id}/follow-up`, { satisfaction: '5' })).toBe('satisfaction: "5" must be integer');
    expect(await bad('POST', `/api/v1/tickets/${id}/dispatch`, {})).toBe('missing body field "assignee"');
    expect(await bad('POST', `/api/v1/tickets/${id}/dispatch`, { assignee: 'li', priority: 'high' })).toBe('unknown body field "priority"');
    expect(await bad('POST', `/api/v1/tickets/${id}/notes`, { note: '' })).toBe('note: "" must NOT have fewer than 1 characters');
    expect(await bad('POST', '/api/v1/tickets', { agentId: AGENT })).toBe('missing body field "summary"');
    expect(await bad('GET', '/api/v1/tickets/abc')).toBe('id: "abc" must look like T-000042');
    expect(await bad('GET', '/api/v1/tickets?state=done')).toMatch(/^state: "done" is not one of opened, dispatched, in_progress, resolved, follow_up, closed$/);
    // Nothing refused changed the ticket.
    expect((await call('GET', `/api/v1/tickets/${id}`)).body.steps).toHaveLength(1);
  });
});
