import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { ChannelMux, type Channel } from '../../agent/tunnel/channels/index.js';
import { goodHello, startFakeDesk } from './support/fake-desk.js';
import { agentDeskConfig, initTestDesk, startAgent, waitFor } from './support/harness.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => undefined);
});

/** The desk's end: a mux (side "desk") fed the agent's frames, and every frame recorded in order. */
function deskEnd(ws: WebSocket, frames: { type: string; bytes?: number }[]) {
  const mux = new ChannelMux(ws, { side: 'desk', window: 64 * 1024 });
  ws.on('message', (data: Buffer, isBinary) => {
    if (isBinary) {
      frames.push({ type: 'data', bytes: data.length - 4 });
      return mux.handleBinary(data);
    }
    const m = JSON.parse(data.toString()) as { type: string };
    frames.push({ type: m.type });
    if (m.type.startsWith('channel-')) void mux.handle(m as never);
  });
  ws.on('close', () => mux.closeAll());
  return mux;
}

async function agentWithChannels(name: string, desk: Parameters<typeof startFakeDesk>[1][number], onChannel: (c: Channel) => void) {
  const d = await initTestDesk();
  const fake = await startFakeDesk(d, [desk]);
  cleanup.push(() => fake.stop());
  const id = `P44010600123-${name}`;
  const a = await startAgent({
    desk: await agentDeskConfig(d, id, { url: `wss://localhost:${fake.port}/agent` }),
    id,
    tunnel: { assist: { onOpen: () => ({ accept: onChannel, window: 32 * 1024 }), options: { highWaterMark: 64 * 1024 } } },
  });
  cleanup.push(() => a.stop());
  return a;
}

describe('assistance channels over the real desk connection', () => {
  it('echoes 1 MB through a channel within credit, with a slow reader holding no more than its window', async () => {
    let hello: Record<string, any> | undefined;
    let deskMux!: ChannelMux;
    await agentWithChannels('POS-31', (ws, h) => {
      hello = h;
      deskMux = deskEnd(ws, []);
      ws.send(JSON.stringify(goodHello()));
    }, (ch) => {
      // A slow consumer: each chunk echoed back, then a pause before the next.
      ch.setReader(async (chunk) => {
        await ch.write(chunk);
        await new Promise((r) => setTimeout(r, 2));
      });
      agentChannel = ch;
    });
    let agentChannel: Channel | undefined;
    await waitFor('desk hello answered', () => deskMux);
    expect(hello!.capabilities).toContain('assist');
    const ch = await deskMux.open({ kind: 'echo', session: 's1' });
    const sent = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < sent.length; i++) sent[i] = (i * 31) & 0xff;
    const got: Buffer[] = [];
    let gotBytes = 0;
    ch.setReader((b) => void (got.push(b), (gotBytes += b.length)));
    for (let off = 0; off < sent.length; off += 20_000) await ch.write(sent.subarray(off, off + 20_000));
    await waitFor('all echoed', () => gotBytes >= sent.length, 30_000);
    expect(createHash('sha256').update(Buffer.concat(got)).digest('hex')).toBe(createHash('sha256').update(sent).digest('hex'));
    // Counted, not measured: the agent never held more unconsumed bytes than the window it granted.
    expect(agentChannel!.stats.maxUnconsumed).toBeGreaterThan(0);
    expect(agentChannel!.stats.maxUnconsumed).toBeLessThanOrEqual(32 * 1024);
    expect(ch.stats.maxUnconsumed).toBeLessThanOrEqual(64 * 1024);
  });
});
