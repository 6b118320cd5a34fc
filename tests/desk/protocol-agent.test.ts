import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLOSE } from '../../agent/tunnel/protocol/constants.js';
import { goodHello, startFakeDesk, type Behaviour } from './support/fake-desk.js';
import { agentDeskConfig, initTestDesk, startAgent, waitFor } from './support/harness.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => undefined);
});

const send = (x: unknown): Behaviour => (ws) => ws.send(typeof x === 'string' ? x : JSON.stringify(x));

describe('the agent receiving bad frames from a desk', () => {
  it('closes with the specific code, logs the reason, reconnects, and never crashes', async () => {
    const d = await initTestDesk();
    const received: Record<string, unknown>[] = [];
    const script: [string, number, Behaviour][] = [
      ['not JSON', CLOSE.malformed, send('{"type": "hello", ')],
      ['no type', CLOSE.malformed, send({ protocol: 1 })],
      ['unknown type', CLOSE.unknownType, send({ type: 'reboot-terminal' })],
      ['binary frame', CLOSE.unknownType, (ws) => ws.send(Buffer.from([1, 2, 3]), { binary: true })],
      ['invalid hello', CLOSE.invalid, send({ type: 'hello', protocol: 1, deskTime: 'yesterday', lastCommittedSeq: 0, policy: {} })],
      ['ack before hello', CLOSE.outOfOrder, send({ type: 'ack', upToSeq: 1 })],
      ['unsupported version', CLOSE.unsupportedVersion, send({ ...goodHello(), protocol: 2 })],
      ['oversized', CLOSE.tooBig, send({ type: 'hello', pad: 'x'.repeat(300 * 1024) })],
      ['ack beyond what was sent', CLOSE.outOfOrder, (ws) => (ws.send(JSON.stringify(goodHello())), ws.send(JSON.stringify({ type: 'ack', upToSeq: 99 })))],
      [
        'ack going backwards',
        CLOSE.outOfOrder,
        (ws) => {
          ws.send(JSON.stringify(goodHello()));
          ws.on('message', (data) => {
            const m = JSON.parse(data.toString()) as { type: string; events?: { seq: number }[] };
            if (m.type !== 'events') return;
            const last = m.events!.at(-1)!.seq;
            ws.send(JSON.stringify({ type: 'ack', upToSeq: last }));
            ws.send(JSON.stringify({ type: 'ack', upToSeq: last - 1 }));
          });
        },
      ],
      ['second hello', CLOSE.outOfOrder, (ws) => (ws.send(JSON.stringify(goodHello())), ws.send(JSON.stringify(goodHello())))],
      ['no hello at all', CLOSE.helloTimeout, () => undefined],
      // Then a desk that answers properly, and opens an assistance channel this agent cannot offer.
      [
        'channel-open answered',
        CLOSE.normal,
        (ws) => {
          ws.on('message', (data) => received.push(JSON.parse(data.toString()) as Record<string, unknown>));
          ws.send(JSON.stringify(goodHello()));
          ws.send(JSON.stringify({ type: 'channel-open', channel: 7, kind: 'terminal' }));
        },
      ],
    ];
    const fake = await startFakeDesk(d, script.map((s) => s[2]));
    cleanup.push(() => fake.stop());
    const a = await startAgent({ desk: await agentDeskConfig(d, 'P44010600123-POS-09', { url: `wss://localhost:${fake.port}/agent` }), id: 'P44010600123-POS-09', tunnel: { timing: { helloTimeoutMs: 300 } } });
    cleanup.push(() => a.stop());
    await a.setFailing(['reader', 'token']); // events to send, for the ack cases
    await waitFor('every scripted desk answered', () => fake.closes.length >= script.length - 1, 30_000);
    await waitFor('the good desk connection', () => a.tunnel.status().state === 'connected');
    await a.stop();
    await waitFor('the last close', () => fake.closes.length >= script.length);
    expect(fake.closes.map((c) => c.code)).toEqual(script.map((s) => s[1]));
    expect(received).toContainEqual({ type: 'channel-close', channel: 7, reason: 'not_supported' });
    expect(received.map((m) => m.type)).toEqual(['snapshot', 'heartbeat', 'channel-close']);
    const log = readFileSync(join(a.dir, 'agent.log'), 'utf8');
    for (const reason of ['not JSON', 'no \\"type\\"', 'unknown message type \\"reboot-terminal\\"', 'binary frame', 'hello: /deskTime', '\\"ack\\" before desk hello', 'desk speaks protocol 2', 'ack 99 beyond', 'below an earlier ack', 'a second desk hello', 'no desk hello within']) {
      expect(log, reason).toContain(reason);
    }
    expect(log).toMatch(/Max payload size exceeded/);
  });

  it("feeds the desk's clock into CLOCK_SKEW: raised from desk hello, resolved by a later heartbeat answer", async () => {
    const d = await initTestDesk();
    const behind: Behaviour = (ws) => {
      ws.send(JSON.stringify({ ...goodHello(), deskTime: new Date(Date.now() - 400_000).toISOString() }));
      ws.on('message', (data) => {
        if ((JSON.parse(data.toString()) as { type: string }).type === 'heartbeat') {
          setTimeout(() => ws.send(JSON.stringify({ type: 'heartbeat-ack', deskTime: new Date().toISOString() })), 300);
        }
      });
    };
    const fake = await startFakeDesk(d, [behind]);
    cleanup.push(() => fake.stop());
    const a = await startAgent({ desk: await agentDeskConfig(d, 'P44010600123-POS-15', { url: `wss://localhost:${fake.port}/agent` }), id: 'P44010600123-POS-15' });
    cleanup.push(() => a.stop());
    const skew = await waitFor('CLOCK_SKEW', () => a.agent.engine.active().find((f) => f.code === 'CLOCK_SKEW'));
    expect(skew).toMatchObject({ severity: 'critical', checkId: 'desk-clock', evidence: { reference: 'desk' } });
    expect(Number(skew.evidence.skewSeconds)).toBeGreaterThan(390);
    await waitFor('resolved once the desk time agrees', () => !a.agent.engine.active().some((f) => f.code === 'CLOCK_SKEW'));
  });
});
