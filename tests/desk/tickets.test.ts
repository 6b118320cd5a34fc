import { afterEach, describe, expect, it } from 'vitest';
import { Desk } from '../../desk/desk.js';
import { startRobotReceiver } from '../../desk/notify/test-receivers.js';
import { cli } from './support/cli.js';
import { agentDeskConfig, initTestDesk, startAgent, waitFor } from './support/harness.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => undefined);
});

const AGENT = 'P44010600123-POS-31';

describe('tickets at the desk', () => {
  it('a fault opens its ticket; the hotline dispatches, works and follows it up through desk-cli; the report counts it', async () => {
    const d = await initTestDesk();
    const desk = await Desk.start({ dir: d.dir });
    cleanup.push(() => desk.stop());
    const agent = await startAgent({ desk: await agentDeskConfig(d, AGENT), id: AGENT });
    cleanup.push(() => agent.stop());
    await cli(['desk-cli', 'token', 'create', 'hotline.zhao', '--save', '--dir', d.dir]);
    const run = async (...args: string[]) => {
      const r = await cli(['desk-cli', ...args, '--dir', d.dir, '--lang', 'en']);
      expect(r.err).toBe('');
      return r;
    };

    await agent.setFailing(['reader-1'], 'critical');
    // Opened in the transaction that plans the fault's notices, with no notify section configured too.
    const ticket = await waitFor('ticket opened for the fault', () => desk.store.tickets.list({ limit: 10 })[0]);
    expect(ticket).toMatchObject({ id: 'T-000001', state: 'opened', agentId: AGENT, origin: 'fault' });
    const listed = await run('ticket', 'list');
    expect(listed.out).toContain('T-000001');

    expect((await run('ticket', 'dispatch', 'T-000001', '--assignee', 'engineer.li', '--note', '派单')).code).toBe(0);
    expect((await run('ticket', 'start', 'T-000001', '已远程查看')).code).toBe(0);
    const early = await cli(['desk-cli', 'ticket', 'follow-up', 'T-000001', '--satisfaction', '5', '--dir', d.dir, '--lang', 'en']);
    expect(early.code).toBe(1);
    expect(early.err).toContain('HTTP 409');

    await agent.setFailing([]); // the reader is back: the terminal resolves the fault, and the ticket with it
    await waitFor('ticket resolved by the fault', () => desk.store.tickets.get('T-000001')?.state === 'resolved');
    expect((await run('ticket', 'follow-up', 'T-000001', '--satisfaction', '4', '--comment', '响应及时')).code).toBe(0);
    expect((await run('ticket', 'close', 'T-000001')).code).toBe(0);
    const shown = JSON.parse((await run('ticket', 'show', 'T-000001', '--json')).out);
    expect(shown.steps.map((s: { kind: string; by: string }) => [s.kind, s.by])).toEqual([
      ['open', expect.any(String)],
      ['dispatch', 'hotline.zhao'],
      ['start', 'hotline.zhao'],
      ['fault-resolved', 'agent'],
      ['follow-up', 'hotline.zhao'],
      ['close', 'hotline.zhao'],
    ]);

    // A call: a hand ticket for the same terminal, with the catalogue's runbook as its knowledge base.
    const opened = await run('ticket', 'open', AGENT, '--summary', '收银员来电：读卡器无响应', '--caller', '收银员 王', '--code', 'READER_NO_RESPONSE', '--json');
    const hand = JSON.parse(opened.out);
    const handShown = JSON.parse((await run('ticket', 'show', hand.ticket?.id ?? hand.id, '--json')).out);
    expect(handShown.knowledgeBase).toMatchObject({ code: 'READER_NO_RESPONSE', operator: { zh: expect.any(String), en: expect.any(String) } });

    const report = JSON.parse((await run('report', '--json')).out);
    expect(report.tickets).toMatchObject({ opened: { total: 2, fault: 1, hand: 1 }, closed: 1, followUps: 1, satisfaction: { mean: 4 } });
    expect((await run('report')).out).toMatch(/ticket/i);
  });

  it('with notify.ticketSync, every ticket step reaches the external ticket system in order, signed, with an idempotency key', async () => {
    const external = await startRobotReceiver('webhook', { secret: 'sync-secret' });
    cleanup.push(() => external.close());
    const d = await initTestDesk();
    const desk = await Desk.start({ dir: d.dir, env: { SYNC: 'sync-secret' }, override: (c) => ({ ...c, notify: { ticketSync: { url: `${external.baseUrl}/tickets`, secretEnv: 'SYNC' } } }) });
    cleanup.push(() => desk.stop());
    const agent = await startAgent({ desk: await agentDeskConfig(d, AGENT), id: AGENT });
    cleanup.push(() => agent.stop());
    await cli(['desk-cli', 'token', 'create', 'hotline.zhao', '--save', '--dir', d.dir]);
    await agent.setFailing(['reader-1'], 'major');
    await waitFor('opened event', () => external.received.length === 1);
    await cli(['desk-cli', 'ticket', 'dispatch', 'T-000001', '--assignee', 'engineer.li', '--dir', d.dir]);
    await waitFor('dispatch event', () => external.received.length === 2);
    const events = external.received.map((r) => r.body as { event: string; id: string; ticket: { id: string; state: string; assignee: string | null }; step: { kind: string } });
    expect(events.map((e) => [e.event, e.ticket.id, e.step.kind, e.ticket.state])).toEqual([
      ['ticket.step', 'T-000001', 'open', 'opened'],
      ['ticket.step', 'T-000001', 'dispatch', 'dispatched'],
    ]);
    expect(events[1]!.ticket.assignee).toBe('engineer.li');
    expect(external.received.map((r) => r.headers['x-guardpost-event-id'])).toEqual([events[0]!.id, events[1]!.id]);
    expect(desk.notify.status().find((c) => c.channel === '@tickets')).toMatchObject({ sent: 2, failed: 0 });
  });
});
