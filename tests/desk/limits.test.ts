import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLOSE } from '../../agent/tunnel/protocol/constants.js';
import type { DeskLimits } from '../../desk/config.js';
import { Desk } from '../../desk/desk.js';
import type { AgentRow } from '../../desk/store/types.js';
import { cli } from './support/cli.js';
import { expectDeliveredOnceInOrder, recordTransitions } from './support/expect-delivery.js';
import { eventOf, eventsFrame, faultBody, heartbeatFrame, helloFrame, snapshotFrame } from './support/frames.js';
import { agentDeskConfig, deskEvents, initTestDesk, startAgent, startDesk, waitFor, type TestDesk } from './support/harness.js';
import { rawAgent, type RawAgent } from './support/raw-agent.js';
import { TcpProxy } from './support/tcp-proxy.js';

/**
 * Issue 12: nothing bounded what one agent certificate may send (47,000 occurrences and 49,000 answered heartbeats
 * in 5 s). Each limit here against the real desk, with hostile peers written in the test and real agents, on loopback.
 */

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => undefined);
});

const limited = (c: Desk['config'], limits: Partial<DeskLimits>, policy: Partial<Desk['config']['policy']> = {}) => ({
  ...c,
  limits: { ...c.limits, ...limits },
  policy: { ...c.policy, ...policy },
});

async function deskWith(limits: Partial<DeskLimits>, policy: Partial<Desk['config']['policy']> = {}): Promise<{ d: TestDesk; desk: Desk }> {
  const d = await initTestDesk();
  const desk = await startDesk(d, (c) => limited(c, limits, policy));
  cleanup.push(() => desk.stop());
  return { d, desk };
}

/** A hostile peer that has said hello and sent its snapshot. */
async function readyPeer(d: TestDesk, id: string): Promise<RawAgent> {
  const raw = await rawAgent(await agentDeskConfig(d, id));
  cleanup.push(async () => raw.ws.terminate());
  raw.send(helloFrame(id));
  await raw.next('hello');
  raw.send(snapshotFrame());
  return raw;
}

const deskLog = (d: TestDesk) =>
  readFileSync(join(d.dir, 'desk.log'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, any>);

const agentRow = (desk: Desk, id: string): AgentRow | undefined => desk.store.listAgents().find((a) => a.id === id);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How the desk closed the peer's connection; a desk that keeps taking whatever is sent fails here, not by a timeout. */
const closedWithin = (raw: RawAgent, ms = 10_000) =>
  Promise.race([raw.closed, sleep(ms).then(() => Promise.reject(new Error(`the desk did not close the connection within ${ms} ms`)))]);

describe('desk limits on what one agent sends', () => {
  it('the issue\'s flood: events past the window and heartbeats past the policy close the connection (4020), logged and shown', async () => {
    const { d, desk } = await deskWith({ eventBurst: 100, eventsPerSecond: 0.1 }, { windowEvents: 100 });
    const id = 'P44010600123-POS-20';

    // Events without waiting for acknowledgements: past the burst they are held, and the batch that takes the
    // events in flight past the window closes the connection.
    const flood = await readyPeer(d, id);
    for (let b = 0; b < 40; b++) flood.send(eventsFrame(b * 50 + 1, b * 50 + 50));
    const closed = await closedWithin(flood);
    expect(closed.code).toBe(CLOSE.rateLimited);
    expect(closed.reason).toContain('events in flight; the policy allows 100');
    await sleep(200);
    expect(deskEvents(d, id).length, 'at most the burst and the window were stored, not the 2000 sent').toBeLessThanOrEqual(200);
    expect(desk.store.listFaults({ agent: id }).length).toBeLessThanOrEqual(200);

    // Heartbeats as fast as the socket takes them: a few answered, then closed.
    const beats = await readyPeer(d, id);
    for (let i = 0; i < 2000; i++) beats.send(heartbeatFrame());
    const beatsClosed = await closedWithin(beats);
    expect(beatsClosed.code).toBe(CLOSE.rateLimited);
    expect(beatsClosed.reason).toContain("heartbeats faster than the policy's one every 60 s");
    expect(beats.received.filter((m) => m.type === 'heartbeat-ack').length).toBeLessThanOrEqual(3);

    // The desk log says so once per kind (not once per frame), and the engineer sees the last limit.
    const lines = deskLog(d).filter((l) => l.msg === 'agent limited');
    expect(lines.map((l) => l.limit)).toEqual(['window', 'heartbeats']);
    await waitFor('recorded', () => agentRow(desk, id)?.limited?.kind === 'heartbeats');

    // A well-behaved agent on the same desk is served as before.
    const other = 'P44010600123-POS-21';
    const a = await startAgent({ desk: await agentDeskConfig(d, other), id: other });
    cleanup.push(() => a.stop());
    await a.setFailing(['reader']);
    await waitFor('the other agent delivers', () => desk.store.listFaults({ agent: other }).length === 1 && a.agent.store.pendingTransitions().length === 0);
  });

  it('past its burst an agent is acknowledged at the rate: a real backlog is delivered once, in order, just slower', async () => {
    const { d, desk } = await deskWith({ eventBurst: 100, eventsPerSecond: 200 });
    const id = 'P44010600123-POS-22';
    const a = await startAgent({ desk: await agentDeskConfig(d, id), id, tunnel: { limits: { batchEvents: 50, windowEvents: 200 } } });
    cleanup.push(() => a.stop());
    const produced = recordTransitions(a);
    await waitFor('connected', () => a.tunnel.status().state === 'connected');
    const started = performance.now();
    const subjects = Array.from({ length: 300 }, (_, i) => `dev-${i}`);
    await a.setFailing(subjects);
    await a.setFailing([]);
    expect(produced.length).toBe(600);
    await waitFor('delivered', () => a.agent.store.pendingTransitions().length === 0 && a.tunnel.status().ackedSeq === a.agent.store.lastSeq, 30_000);
    const seconds = (performance.now() - started) / 1000;
    // 100 at once, the other 500 at 200/s: 2.5 s at least (unlimited, this takes a fraction of a second).
    expect(seconds).toBeGreaterThan(2.2);
    expectDeliveredOnceInOrder(d, id, produced);
    expect(agentRow(desk, id)?.limited).toMatchObject({ kind: 'events-rate', detail: 'past 100 events at once: acknowledging 200 events/s' });
    expect(a.tunnel.status().state, 'slowed, never closed').toBe('connected');
  });

  it('a reconnect does not release acknowledgements the rate is holding: desk hello reports what was acknowledged', async () => {
    const { d } = await deskWith({ eventBurst: 100, eventsPerSecond: 0.1 });
    const id = 'P44010600123-POS-23';
    const first = await readyPeer(d, id);
    first.send(eventsFrame(1, 100));
    expect(await first.next('ack')).toEqual({ type: 'ack', upToSeq: 100 });
    first.send(eventsFrame(101, 110));
    await waitFor('committed', () => deskEvents(d, id).length === 110);
    await sleep(300);
    expect(first.received.filter((m) => m.type === 'ack').map((m) => m.upToSeq), 'the second batch is held').toEqual([100]);
    first.ws.close();
    await first.closed;

    const again = await rawAgent(await agentDeskConfig(d, id));
    cleanup.push(async () => again.ws.terminate());
    again.send(helloFrame(id, { seq: 110 }));
    expect((await again.next('hello')).lastCommittedSeq, 'not 110: the agent resends, the desk deduplicates').toBe(100);
    again.send(snapshotFrame());
    again.send(eventsFrame(101, 110));
    await sleep(300);
    expect(deskEvents(d, id).length).toBe(110);
    expect(again.received.some((m) => m.type === 'ack')).toBe(false);
  });

  it('reconnecting too often is refused before hello (4020); a real agent backs off, logs why, and gets back in', async () => {
    const { d, desk } = await deskWith({ connectBurst: 2, connectsPerMinute: 6 });
    const proxy = await new TcpProxy(d.port).start();
    cleanup.push(() => proxy.stop());
    const id = 'P44010600123-POS-24';
    const a = await startAgent({ desk: await agentDeskConfig(d, id, { url: `wss://localhost:${proxy.port}/agent` }), id });
    cleanup.push(() => a.stop());
    await waitFor('connected', () => a.tunnel.status().state === 'connected');
    proxy.cutAll(); // the second connect is within the burst
    await waitFor('reconnected', () => a.tunnel.status().state === 'connected' && proxy.accepted === 2);
    proxy.cutAll(); // the third is not: refused until the bucket refills (one every 10 s)
    await waitFor('refused', () => a.tunnel.status().lastError?.includes('4020'));
    expect(a.tunnel.status().lastError).toContain('rate limited: more than 2 connects at once or 6 a minute');
    await waitFor('back in after the refill', () => a.tunnel.status().state === 'connected', 20_000);
    const agentLog = readFileSync(join(a.dir, 'agent.log'), 'utf8');
    expect(agentLog).toContain('closed by the desk (4020) rate limited');
    expect(agentRow(desk, id)?.limited?.kind).toBe('connects');
    // The refused connections never reached hello: no database writes for them, one line in the desk log.
    expect(deskLog(d).filter((l) => l.msg === 'agent limited' && l.limit === 'connects').length).toBe(1);
  });

  it('open occurrences past the quota are refused but acknowledged; the agent logs why (4021); desk-cli shows it throttled', async () => {
    const { d, desk } = await deskWith({ maxOpenFaults: 10 });
    const id = 'P44010600123-POS-25';
    const a = await startAgent({ desk: await agentDeskConfig(d, id), id });
    cleanup.push(() => a.stop());
    await waitFor('connected', () => a.tunnel.status().state === 'connected');
    const subjects = Array.from({ length: 15 }, (_, i) => `dev-${i}`);
    await a.setFailing(subjects);

    // Everything is acknowledged (the agent's outbox drains), ten occurrences are open at the desk, no more.
    await waitFor('acknowledged', () => a.agent.store.pendingTransitions().length === 0 && a.tunnel.status().ackedSeq === a.agent.store.lastSeq);
    await waitFor('told why', () => /closed by the desk \(4021\) quota: 10 open occurrences; \d+ new not stored until some resolve/.test(readFileSync(join(a.dir, 'agent.log'), 'utf8')));
    expect(desk.store.listFaults({ agent: id, state: ['active'] }).length).toBe(10);
    await waitFor('reconnected', () => a.tunnel.status().state === 'connected');
    const audit = deskLog(d).filter((l) => l.msg === 'agent limited' && l.limit === 'open-faults');
    expect(audit[0]).toMatchObject({ agent: id, detail: expect.stringMatching(/^quota: 10 open occurrences; \d+ new not stored until some resolve$/) });

    // What an engineer sees.
    expect((await cli(['desk-cli', 'token', 'create', 'engineer-li', '--dir', d.dir, '--save'])).code).toBe(0);
    const table = await cli(['desk-cli', 'agents', '--dir', d.dir, '--lang', 'zh']);
    expect(table.out).toContain('在线（限流）');
    expect(table.out).toContain('未恢复故障数达到配额');
    const json = JSON.parse((await cli(['desk-cli', 'agents', '--dir', d.dir, '--json'])).out) as { agents: AgentRow[] };
    expect(json.agents[0]!.limited).toMatchObject({ kind: 'open-faults' });

    // Once they resolve, new ones are stored again.
    await a.setFailing([]);
    await a.setFailing(['printer']);
    await waitFor('room again', () => desk.store.listFaults({ agent: id, state: ['active'] }).map((f) => f.subject).join() === 'printer');
  });

  it('bytes stored per day: past the quota events are acknowledged and dropped (4021) until the next day', async () => {
    const d = await initTestDesk();
    let offsetMs = 0;
    const desk = await Desk.start({ dir: d.dir, now: () => new Date(Date.now() + offsetMs), override: (c) => limited(c, { bytesPerDay: 1024 * 1024 }) });
    cleanup.push(() => desk.stop());
    const id = 'P44010600123-POS-26';
    // About 200 KB per event (and as much again for its new occurrence's row).
    const big = (seq: number) => eventOf(seq, faultBody(`big-${seq}`, { evidence: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'x'.repeat(4000)])) }));
    const raw = await readyPeer(d, id);
    raw.send(eventsFrame(1, 2, big));
    expect(await raw.next('ack')).toEqual({ type: 'ack', upToSeq: 2 });
    raw.send(eventsFrame(3, 4, big));
    raw.send(eventsFrame(5, 6, big));
    const closed = await closedWithin(raw);
    expect(closed.code).toBe(CLOSE.quotaReached);
    expect(closed.reason).toMatch(/^quota: 1 MiB stored today; \d+ not stored until 00:00 \+08:00$/);
    expect(raw.received.filter((m) => m.type === 'ack').at(-1)!.upToSeq, 'acknowledged before the close').toBeGreaterThanOrEqual(4);
    const storedToday = deskEvents(d, id).length;
    expect(storedToday).toBeLessThan(6);

    // The next day (China Standard Time) there is room again.
    offsetMs = 24 * 3600_000;
    const tomorrow = await rawAgent(await agentDeskConfig(d, id));
    cleanup.push(async () => tomorrow.ws.terminate());
    tomorrow.send(helloFrame(id, { seq: 6 }));
    const hello = await tomorrow.next('hello');
    tomorrow.send(snapshotFrame());
    tomorrow.send(eventsFrame(hello.lastCommittedSeq + 1, hello.lastCommittedSeq + 2, big));
    await waitFor('stored the next day', () => deskEvents(d, id).length === storedToday + 2);
  });
});
