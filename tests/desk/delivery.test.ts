import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FaultTransition } from '../../agent/core/faults/types.js';
import type { Desk } from '../../desk/desk.js';
import { expectDeliveredOnceInOrder, expectSameActiveFaults, recordTransitions } from './support/expect-delivery.js';
import { agentDeskConfig, initTestDesk, startAgent, startDesk, tmp, waitFor, type TestAgent } from './support/harness.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => undefined);
});

const drained = (a: TestAgent) => a.agent.store.pendingTransitions().length === 0 && a.tunnel.status().ackedSeq === a.agent.store.lastSeq;

describe('desk delivery', () => {
  it('delivers opened, updated and resolved transitions once, in order, and the desk shows what the agent shows', async () => {
    const d = await initTestDesk();
    const desk: Desk = await startDesk(d);
    cleanup.push(() => desk.stop());
    const a = await startAgent({ desk: await agentDeskConfig(d, 'P44010600123-POS-01') });
    cleanup.push(() => a.stop());
    const produced = recordTransitions(a);
    await waitFor('connected', () => a.tunnel.status().state === 'connected');

    await a.setFailing(['reader', 'token'], 'major');
    await a.setFailing(['reader'], 'critical'); // reader escalates, token resolves
    await a.setFailing(['reader', 'printer'], 'major'); // reader back to major, printer opens
    await waitFor('outbox drained', () => drained(a));

    expect(produced.map((t) => `${t.kind} ${t.fault.subject}`)).toEqual(
      expect.arrayContaining(['opened reader', 'opened token', 'updated reader', 'resolved token', 'opened printer']),
    );
    expectDeliveredOnceInOrder(d, a.id, produced);
    expectSameActiveFaults(desk, a);
    const reader = desk.store.listFaults({ agent: a.id }).find((f) => f.subject === 'reader')!;
    expect(reader).toMatchObject({ severity: 'major', maxSeverity: 'critical', state: 'open', siteCode: 'P44010600123' });
    expect(reader.receiptSeconds).toBeGreaterThanOrEqual(0);

    const [agentRow] = await waitFor('heartbeat stored', () => desk.store.listAgents().filter((x) => x.health));
    expect(agentRow).toMatchObject({ id: a.id, online: true, siteCode: 'P44010600123', terminalId: 'POS-01', version: 'test' });
    expect(agentRow!.health!.rssBytes).toBeGreaterThan(0);
  });

  it('desk down while faults are raised and the agent restarted meanwhile: all delivered once, in order, with DESK_UNREACHABLE', async () => {
    const d = await initTestDesk();
    let desk: Desk = await startDesk(d);
    const deskConfig = await agentDeskConfig(d, 'P44010600123-POS-02');
    const dir = tmp('gp-agent-');
    const tunnel = { unreachable: { minorAfterMs: 300, majorAfterMs: 3_600_000 }, timing: { reachabilityReportMs: 100 } };
    const produced: FaultTransition[] = [];
    let a = await startAgent({ desk: deskConfig, dir, id: 'P44010600123-POS-02', tunnel });
    recordTransitions(a, produced);
    await a.setFailing(['reader']);
    await waitFor('first delivery', () => drained(a));

    await desk.stop();
    await a.setFailing(['reader', 'token']);
    await a.setFailing(['token', 'printer']);
    const unreachable = await waitFor('DESK_UNREACHABLE raised locally', () => a.agent.engine.active().find((f) => f.code === 'DESK_UNREACHABLE'));
    expect(unreachable.severity).toBe('minor');
    expect(a.tunnel.status().state).not.toBe('connected');
    await a.stop();

    // Restarted during the outage: the fault and the undelivered transitions come back from the state file.
    a = await startAgent({ desk: deskConfig, dir, id: 'P44010600123-POS-02', tunnel });
    cleanup.push(() => a.stop());
    recordTransitions(a, produced);
    expect(a.agent.engine.active().find((f) => f.code === 'DESK_UNREACHABLE')?.id).toBe(unreachable.id);
    expect(a.agent.store.pendingTransitions().length).toBeGreaterThan(0);
    await a.setFailing(['printer', 'scanner'], 'critical');
    await new Promise((r) => setTimeout(r, 400)); // reachability reported again after restart: still the same fault
    expect(a.agent.engine.active().find((f) => f.code === 'DESK_UNREACHABLE')?.id).toBe(unreachable.id);

    desk = await startDesk(d);
    cleanup.push(() => desk.stop());
    await waitFor('backlog delivered', () => drained(a) && !a.agent.engine.active().some((f) => f.code === 'DESK_UNREACHABLE'));
    await waitFor('resolution delivered', () => drained(a));
    expectDeliveredOnceInOrder(d, a.id, produced);
    expectSameActiveFaults(desk, a);
    const seen = desk.store.listFaults({ agent: a.id }).find((f) => f.code === 'DESK_UNREACHABLE')!;
    expect(seen).toMatchObject({ id: unreachable.id, state: 'resolved', resolvedInferred: false });
  });

  it('heartbeats re-assert open critical faults: a desk that lost them relearns them without a reconnect', async () => {
    const d = await initTestDesk();
    const desk: Desk = await startDesk(d, (c) => ({ ...c, policy: { ...c.policy, heartbeatSeconds: 1 } }));
    cleanup.push(() => desk.stop());
    const a = await startAgent({ desk: await agentDeskConfig(d, 'P44010600123-POS-13'), id: 'P44010600123-POS-13' });
    cleanup.push(() => a.stop());
    await a.setFailing(['reader'], 'critical');
    await a.setFailing(['reader', 'printer'], 'critical');
    await waitFor('delivered', () => drained(a) && desk.store.listFaults({ state: ['active'] }).length === 2);
    // The desk loses its fault rows (say, a restore from an old backup) while the agent stays connected.
    const db = new Database(join(d.dir, 'desk.db'));
    db.prepare('DELETE FROM faults').run();
    db.close();
    expect(desk.store.listFaults({})).toEqual([]);
    await waitFor('relearned from a heartbeat', () => desk.store.listFaults({ state: ['active'] }).length === 2, 5000);
    expectSameActiveFaults(desk, a);
  });
});
