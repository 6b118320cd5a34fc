import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLOSE } from '../../agent/tunnel/protocol/constants.js';
import type { Desk } from '../../desk/desk.js';
import { agentDeskConfig, initTestDesk, startAgent, startDesk, waitFor } from './support/harness.js';
import { rawAgent } from './support/raw-agent.js';
import { helloFrame, snapshotFrame } from './support/frames.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => undefined);
});

const ID = 'P44010600123-POS-10';
const hello = (over: Record<string, unknown> = {}) => helloFrame(ID, over);
const snapshot = snapshotFrame();
const event = (seq: number) => ({
  seq,
  kind: 'opened',
  at: new Date().toISOString(),
  detectedAt: new Date().toISOString(),
  fault: {
    id: `occ-${seq}`,
    key: `key-${seq}`,
    code: 'TEST_FAULT',
    severity: 'major',
    title: { zh: '测试', en: 'test' },
    detail: { zh: '', en: '' },
    checkId: 'probe',
    subject: `s${seq}`,
    labels: {},
    evidence: {},
    firstSeen: new Date().toISOString(),
    lastSeen: new Date().toISOString(),
    occurrences: 1,
    state: 'open',
    inhibitedBy: [],
  },
});

describe('the desk receiving bad frames from an agent', () => {
  it('closes with the specific code, logs the reason, stores nothing of the bad frame, and keeps serving', async () => {
    const d = await initTestDesk();
    const desk: Desk = await startDesk(d, (c) => ({ ...c, helloTimeoutSeconds: 1 }));
    cleanup.push(() => desk.stop());
    const cfg = await agentDeskConfig(d, ID);
    const cases: [string, number, unknown[]][] = [
      ['not JSON', CLOSE.malformed, ['{"type": ']],
      ['not an object', CLOSE.malformed, ['[1,2]']],
      ['unknown type', CLOSE.unknownType, [{ type: 'format-disk' }]],
      ['binary frame', CLOSE.unknownType, [Buffer.from([0, 1, 2])]],
      ['invalid hello', CLOSE.invalid, [hello({ agentId: undefined })]],
      ['unsupported version', CLOSE.unsupportedVersion, [hello({ protocol: 9 })]],
      ['events before hello', CLOSE.outOfOrder, [{ type: 'events', events: [event(1)] }]],
      ['events before the snapshot', CLOSE.outOfOrder, [hello(), { type: 'events', events: [event(1)] }]],
      ['seq going backwards in a batch', CLOSE.outOfOrder, [hello(), snapshot, { type: 'events', events: [event(5), event(4)] }]],
      ['a second hello', CLOSE.outOfOrder, [hello(), hello()]],
      ['invalid event', CLOSE.invalid, [hello(), snapshot, { type: 'events', events: [{ ...event(1), seq: -1 }] }]],
      ['oversized', CLOSE.tooBig, [hello(), snapshot, { type: 'heartbeat', pad: 'x'.repeat(1_100_000) }]],
      ['no hello', CLOSE.helloTimeout, []],
    ];
    for (const [what, code, frames] of cases) {
      const raw = await rawAgent(cfg);
      for (const f of frames) raw.send(f);
      const closed = await raw.closed;
      expect(closed.code, what).toBe(code);
    }
    expect(desk.store.listFaults({})).toEqual([]);

    // A later batch must continue after the earlier one: replaying seq 2 on the same connection is out of order.
    const raw = await rawAgent(cfg);
    raw.send(hello());
    raw.send(snapshot);
    raw.send({ type: 'events', events: [event(1), event(2)] });
    expect(await raw.next('ack')).toEqual({ type: 'ack', upToSeq: 2 });
    raw.send({ type: 'events', events: [event(2)] });
    expect((await raw.closed).code).toBe(CLOSE.outOfOrder);

    const log = readFileSync(join(d.dir, 'desk.log'), 'utf8');
    for (const reason of ['not JSON', 'not a JSON object', 'unknown message type \\"format-disk\\"', 'binary frame', 'hello: / must have required property', 'agent speaks protocol 9', 'events before hello', 'events before the snapshot', 'event seq 4 not after 5', 'a second hello', 'events: /events/0/seq must be', 'Max payload size exceeded', 'no hello within 1 s', 'event seq 2 not after 2']) {
      expect(log, reason).toContain(reason);
    }

    // The desk is unharmed: a real agent connects and delivers.
    const a = await startAgent({ desk: cfg, id: ID });
    cleanup.push(() => a.stop());
    await a.setFailing(['reader']);
    await waitFor('delivered', () => a.agent.store.pendingTransitions().length === 0 && desk.store.listFaults({ state: ['open'], agent: ID }).some((f) => f.subject === 'reader'));
  });

  it('drops a connection that stays silent past the idle timeout and marks the agent offline', async () => {
    const d = await initTestDesk();
    const desk: Desk = await startDesk(d, (c) => ({ ...c, idleTimeoutSeconds: 1 }));
    cleanup.push(() => desk.stop());
    const raw = await rawAgent(await agentDeskConfig(d, ID));
    raw.send(hello());
    await raw.next('hello');
    await waitFor('online', () => desk.store.listAgents()[0]?.online === true);
    await raw.closed; // no frame, no ping: terminated (no close frame)
    await waitFor('offline', () => desk.store.listAgents()[0]?.online === false);
  });
});
