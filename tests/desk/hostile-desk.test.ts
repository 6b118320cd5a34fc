import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLOSE } from '../../agent/tunnel/protocol/constants.js';
import { goodHello, startFakeDesk, type Behaviour } from './support/fake-desk.js';
import { agentDeskConfig, initTestDesk, startAgent, waitFor } from './support/harness.js';

/*
 * A desk that would cost the agent its undelivered events or its memory: the agent refuses, keeps everything, raises
 * DESK_PROTOCOL_VIOLATION, and goes on with the next (good) connection.
 */
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => undefined);
});

interface Received {
  type: string;
  events?: { seq: number; kind: string }[];
  faults?: { code: string; subject: string }[];
}

/** Answers hello like a good desk with `committed`, records what the agent sends, and acks when told to. */
function recordingDesk(committed: number, into: Received[], ack = false): Behaviour {
  return (ws) => {
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as Received;
      into.push(m);
      if (ack && m.type === 'events') ws.send(JSON.stringify({ type: 'ack', upToSeq: m.events!.at(-1)!.seq }));
    });
    ws.send(JSON.stringify(goodHello(committed)));
  };
}

describe('a desk that could erase or flood the agent', () => {
  it('a hello committing seqs the agent never assigned closes with 4008, raises a fault, keeps the outbox and its seqs', async () => {
    const d = await initTestDesk();
    const later: Received[] = [];
    const fake = await startFakeDesk(d, [(ws) => ws.send(JSON.stringify(goodHello(1006))), recordingDesk(0, later)]);
    cleanup.push(() => fake.stop());
    // The agent starts with two faults to deliver and the desk down, so both wait in the outbox.
    const id = 'P44010600123-POS-21';
    const deskConfig = await agentDeskConfig(d, id, { url: `wss://localhost:${fake.port}/agent` });
    const a = await startAgent({ desk: deskConfig, id, tunnel: { timing: { helloTimeoutMs: 2000 } } });
    cleanup.push(() => a.stop());
    await a.setFailing(['reader', 'token']);
    const seqBefore = a.agent.store.lastSeq;

    await waitFor('the agent closing the lying desk', () => fake.closes.length >= 1);
    expect(fake.closes[0]).toMatchObject({ code: CLOSE.deskAhead });
    const fault = await waitFor('DESK_PROTOCOL_VIOLATION', () => a.agent.engine.active().find((f) => f.code === 'DESK_PROTOCOL_VIOLATION'));
    expect(fault).toMatchObject({ severity: 'major', checkId: 'desk-protocol', evidence: { closeCode: 4008 } });
    expect(String(fault.evidence.reason)).toContain('seqs up to 1006 are committed');
    // Nothing was dropped and no seq was skipped: the next, honest desk gets every event from seq 1 on.
    expect(a.agent.store.lastSeq).toBeLessThan(1006);
    const events = await waitFor('the events at the next desk', () => {
      const seqs = later.filter((m) => m.type === 'events').flatMap((m) => m.events!.map((e) => e.seq));
      return seqs.length >= seqBefore ? seqs : undefined;
    });
    expect(events.slice(0, seqBefore)).toEqual(Array.from({ length: seqBefore }, (_, i) => i + 1));
    expect(readFileSync(join(a.dir, 'agent.log'), 'utf8')).toContain('keeping all');
  });

  it('a desk whose database went backwards gets everything still held again, and a snapshot of the active faults', async () => {
    const d = await initTestDesk();
    const first: Received[] = [];
    const second: Received[] = [];
    const fake = await startFakeDesk(d, [recordingDesk(0, first, true), recordingDesk(0, second)]);
    cleanup.push(() => fake.stop());
    const id = 'P44010600123-POS-22';
    const a = await startAgent({ desk: await agentDeskConfig(d, id, { url: `wss://localhost:${fake.port}/agent` }), id });
    cleanup.push(() => a.stop());
    await a.setFailing(['reader']);
    await waitFor('the first events acknowledged', () => (a.tunnel.status().ackedSeq ?? 0) >= 1);
    // The desk goes away and comes back from a backup that knows nothing of this agent; meanwhile a new fault.
    await fake.stop(); // drops the connection too
    await a.setFailing(['reader', 'token']);
    const back = await startFakeDesk(d, [recordingDesk(0, second)], fake.port);
    cleanup.push(() => back.stop());

    const snapshot = await waitFor('the snapshot to the restored desk', () => second.find((m) => m.type === 'snapshot'));
    expect(snapshot.faults!.map((f) => f.subject).sort()).toEqual(['reader', 'token']);
    const resent = await waitFor('the events still held', () => second.find((m) => m.type === 'events'));
    // What the old desk acknowledged is gone from the agent; what it did not is sent again, nothing is skipped.
    const acked = first.filter((m) => m.type === 'events').flatMap((m) => m.events!.map((e) => e.seq));
    expect(resent.events![0]!.seq).toBe(Math.max(...acked) + 1);
    expect(readFileSync(join(a.dir, 'agent.log'), 'utf8')).toContain('the desk has lost events it had acknowledged');
    expect(a.agent.engine.active().some((f) => f.code === 'DESK_PROTOCOL_VIOLATION')).toBe(false);
  });

  it('a flood of desk frames closes with 4009 before it can grow the agent, and the agent goes on', async () => {
    const d = await initTestDesk();
    const flood: Behaviour = (ws) => {
      ws.send(JSON.stringify(goodHello(0)));
      const ack = JSON.stringify({ type: 'heartbeat-ack', deskTime: new Date().toISOString() });
      for (let i = 0; i < 50_000 && ws.readyState === ws.OPEN; i++) ws.send(ack);
    };
    const after: Received[] = [];
    const fake = await startFakeDesk(d, [flood, recordingDesk(0, after)]);
    cleanup.push(() => fake.stop());
    const id = 'P44010600123-POS-23';
    const a = await startAgent({ desk: await agentDeskConfig(d, id, { url: `wss://localhost:${fake.port}/agent` }), id });
    cleanup.push(() => a.stop());
    await waitFor('the flood closed', () => fake.closes.length >= 1);
    expect(fake.closes[0]!.code).toBe(CLOSE.deskFlood);
    const fault = await waitFor('DESK_PROTOCOL_VIOLATION', () => a.agent.engine.active().find((f) => f.code === 'DESK_PROTOCOL_VIOLATION'));
    expect(fault.evidence).toMatchObject({ closeCode: 4009 });
    await waitFor('a snapshot to the next desk', () => after.some((m) => m.type === 'snapshot'));
  });
});
