import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { faults as readerFaults } from '../../agent/checks/reader/faults.js';
import { ticketCommand, type TicketOptions } from '../../agent/cli/desk-cli-ticket.js';
import { UsageError } from '../../agent/cli/io.js';
import type { Lang } from '../../agent/core/text.js';
import { ApiError, DeskApiClient } from '../client/api-client.js';
import { createCa, issueServerCert } from '../pki.js';
import { ticketFiguresText } from '../client/ticket-render.js';
import { registerTicketRoutes } from './ticket-routes.js';
import { SqliteTickets, TICKET_SCHEMA } from '../tickets/ticket-store.js';
import { ticketTestApp } from './test-support/ticket-test-app.js';

/** desk-cli ticket against the routes over HTTPS, as DeskApiClient reaches the real desk (its CA only). */

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const AGENT = 'P44010600123-POS-01';
const catalogue = new Map(readerFaults.map((f) => [f.code, f]));
const reader = catalogue.get('READER_NOT_FOUND')!;

async function desk() {
  const dir = mkdtempSync(join(tmpdir(), 'desk-ticket-cli-'));
  const db = new Database(join(dir, 'desk.db'));
  db.exec(TICKET_SCHEMA);
  cleanups.push(
    () => rmSync(dir, { recursive: true, force: true }),
    () => void db.close(),
  );
  const tickets = new SqliteTickets(db);
  const ca = await createCa('test desk CA');
  const server = await issueServerCert(ca, ['localhost', '127.0.0.1']);
  const app = ticketTestApp({ key: server.keyPem, cert: server.certPem });
  registerTicketRoutes(app, { tickets, runbook: (code) => catalogue.get(code), now: () => new Date() });
  await app.listen({ host: '127.0.0.1', port: 0 });
  cleanups.push(() => app.close());
  const base = new URL(`https://127.0.0.1:${(app.server.address() as AddressInfo).port}`);
  /** desk-cli ticket WORDS as the engineer `as`; what it printed. */
  const cli = async (as: string, words: string[], o: TicketOptions = {}, lang: Lang = 'zh', json = false) => {
    const out: string[] = [];
    const io = { out: (s: string) => void out.push(s), err: (s: string) => void out.push(s), env: {} };
    const code = await ticketCommand({ client: new DeskApiClient(base, as, Buffer.from(ca.certPem)), io, lang, json }, words, o);
    return { code, out: out.join('\n') };
  };
  return { tickets, cli };
}

describe('desk-cli ticket', () => {
  it('opens, dispatches, works, follows up and closes a ticket, and shows it with its knowledge base', async () => {
    const { tickets, cli } = await desk();
    const fault = tickets.openForFault({ agentId: AGENT, faultId: '3f2a9c1e', code: 'READER_NOT_FOUND', severity: 'critical', siteCode: 'P44010600123', title: reader.title }, new Date().toISOString());

    const opened = await cli('hotline-wang', ['open', AGENT], { summary: '打印机不出纸', caller: '收银员 张' });
    expect(opened.code).toBe(0);
    expect(opened.out).toBe(`已受理 T-000002 (${AGENT})`);
    expect(tickets.get('T-000002')).toMatchObject({ origin: 'hand', caller: '收银员 张', summary: '打印机不出纸', openedBy: 'hotline-wang' });

    expect((await cli('hotline-wang', ['dispatch', fault.id], { assignee: 'engineer-li', note: '请到场' })).out).toBe(`${fault.id} 已派单 (处理人 engineer-li)`);
    expect((await cli('engineer-li', ['start', 'T-1'])).out).toBe(`${fault.id} 处理中 (处理人 engineer-li)`);
    expect((await cli('engineer-li', ['note', '1', '已更换', 'USB', '线'])).out).toBe(`${fault.id}: 已添加备注`);
    expect((await cli('engineer-li', ['resolve', fault.id], { note: '读卡器恢复' }, 'en')).out).toBe(`${fault.id} resolved (assignee engineer-li)`);
    await cli('hotline-zhao', ['follow-up', fault.id], { satisfaction: '5', comment: '很及时' });
    await cli('hotline-zhao', ['close', fault.id]);

    const steps = tickets.steps(fault.id);
    expect(steps.map((s) => [s.kind, s.by, s.note])).toEqual([
      ['open', 'agent', null],
      ['dispatch', 'hotline-wang', '请到场'],
      ['start', 'engineer-li', null],
      ['note', 'engineer-li', '已更换 USB 线'],
      ['resolve', 'engineer-li', '读卡器恢复'],
      ['follow-up', 'hotline-zhao', '很及时'],
      ['close', 'hotline-zhao', null],
    ]);

    const shown = (await cli('hotline-zhao', ['show', fault.id])).out;
    expect(shown).toContain('已关闭');
    expect(shown).toContain('5/5 — 很及时');
    expect(shown).toContain('知识库: READER_NOT_FOUND');
    expect(shown).toContain(`1. ${reader.causes[0]!.zh}`);
    expect(shown).toContain(reader.engineer.zh);
    const shownEn = (await cli('hotline-zhao', ['show', fault.id], {}, 'en')).out;
    expect(shownEn).toContain(`For the engineer: ${reader.engineer.en}`);
    expect(shownEn).toMatch(/dispatched → engineer-li\s+opened → dispatched\s+hotline-wang\s+请到场/);

    const listed = (await cli('x', ['list'], { state: 'opened' }, 'en')).out.split('\n');
    expect(listed[0]).toMatch(/^ticket\s+state\s+origin\s+grade\s+agent\s+about\s+assignee\s+opened\s+since$/);
    expect(listed.slice(2)).toHaveLength(1);
    expect(listed[2]).toMatch(/^T-000002\s+opened\s+call\s+-\s+P44010600123-POS-01\s+打印机不出纸\s+-/);
    const json = JSON.parse((await cli('x', ['list'], { state: 'closed' }, 'zh', true)).out);
    expect(json.tickets.map((t: { id: string }) => t.id)).toEqual([fault.id]);
  });

  it('passes the desk\'s refusals on, and refuses bad usage before asking', async () => {
    const { cli } = await desk();
    await cli('hotline-wang', ['open', AGENT], { summary: '咨询' });
    const refused = await cli('engineer-li', ['start', 'T-1']).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ status: 409, message: 'ticket T-000001 is "opened"; it must be dispatched before it is started' });
    expect(await cli('engineer-li', ['show', 'T-7']).catch((e: unknown) => e)).toMatchObject({ status: 404, message: 'no ticket T-000007' });
    await expect(cli('x', ['follow-up', 'T-1'], { satisfaction: '9' })).rejects.toThrow(new UsageError('--satisfaction: "9" is not one of 1, 2, 3, 4, 5'));
    await expect(cli('x', ['dispatch', 'T-1'])).rejects.toThrow(/needs --assignee NAME/);
    await expect(cli('x', ['open', AGENT])).rejects.toThrow(/needs --summary TEXT/);
    await expect(cli('x', ['frobnicate'])).rejects.toThrow(/^unknown ticket command "frobnicate"/);
  });

  it('renders the month\'s ticket figures for the service report', () => {
    const figures = {
      from: '2026-06-30T16:00:00.000Z',
      to: '2026-07-31T16:00:00.000Z',
      opened: { total: 5, fault: 3, hand: 2 },
      stateNow: { opened: 2, dispatched: 0, in_progress: 0, resolved: 0, follow_up: 1, closed: 2 },
      closed: 3,
      followUps: 4,
      satisfaction: { mean: 4, distribution: { 1: 0, 2: 1, 3: 0, 4: 1, 5: 2 } },
    };
    expect(ticketFiguresText(figures, 'en')).toBe(
      [
        'Tickets: opened 5 (fault 3, call 2), closed 3, followed up 4',
        'State now: opened 2, dispatched 0, in progress 0, resolved 0, followed up 1, closed 2',
        'Mean satisfaction 4.00 (1:0 2:1 3:0 4:1 5:2)',
      ].join('\n'),
    );
    expect(ticketFiguresText({ ...figures, followUps: 0, satisfaction: { mean: null, distribution: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 } } }, 'zh')).toContain('满意度均值 -');
  });
});
