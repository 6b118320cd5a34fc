import { describe, expect, it } from 'vitest';
import { decodeDataFrame } from './data-frame.js';
import { ChannelMux } from './mux.js';

/** A socket stand-in that records frames and lets the test set how much it buffers; timers on a fake clock. */
function fakeSocket() {
  const frames: (Buffer | string)[] = [];
  let clock = 0;
  const timers: { at: number; fn: () => void }[] = [];
  return {
    frames,
    bufferedAmount: 0,
    send(data: Buffer | string) {
      frames.push(data);
    },
    now: () => clock,
    setTimer: (fn: () => void, ms: number) => {
      const t = { at: clock + ms, fn };
      timers.push(t);
      return () => void timers.splice(timers.indexOf(t) >>> 0, 1);
    },
    advance(ms: number) {
      const end = clock + ms;
      for (;;) {
        timers.sort((a, b) => a.at - b.at);
        const t = timers[0];
        if (!t || t.at > end) break;
        timers.shift();
        clock = t.at;
        t.fn();
      }
      clock = end;
    },
    dataBytes: () => frames.filter((f): f is Buffer => Buffer.isBuffer(f)).reduce((n, f) => n + f.length - 4, 0),
  };
}

/** A mux whose peer (the test) opened channel `id` of `session` with plenty of credit. */
async function acceptedChannel(sock: ReturnType<typeof fakeSocket>, id: number, session: string, mux: ChannelMux) {
  let channel: import('./channel.js').Channel | undefined;
  mux.onOpen(() => ({ accept: (c) => void (channel = c) }));
  await mux.handle({ type: 'channel-open', channel: id, kind: 'bulk', session, credit: 2 ** 30 });
  return channel!;
}

describe('the send scheduler', () => {
  it('releases no more than the session cap × time (plus a 50 ms burst, at least one chunk) across the session’s channels', async () => {
    const sock = fakeSocket();
    const cap = 100_000;
    const mux = new ChannelMux(sock, { side: 'agent', sessionBytesPerSecond: cap, maxChunk: 4096, now: sock.now, setTimer: sock.setTimer });
    const a = await acceptedChannel(sock, 1, 's1', mux);
    const b = await acceptedChannel(sock, 3, 's1', mux);
    void a.write(Buffer.alloc(1_000_000)).catch(() => undefined);
    void b.write(Buffer.alloc(1_000_000)).catch(() => undefined);
    const burst = Math.max(4096, cap * 0.05);
    for (let t = 100; t <= 5000; t += 100) {
      sock.advance(100);
      expect(sock.dataBytes()).toBeLessThanOrEqual(burst + (cap * t) / 1000);
    }
    // ... and it does send at the cap, not merely below it.
    expect(sock.dataBytes()).toBeGreaterThan(cap * 5 - 2 * 4096);
    expect(a.stats.bytesSent).toBeGreaterThan(0);
    expect(b.stats.bytesSent).toBeGreaterThan(0);
  });

  it('sends control frames at once and channel data only below the high-water mark', async () => {
    const sock = fakeSocket();
    const mux = new ChannelMux(sock, { side: 'agent', highWaterMark: 10_000, maxChunk: 1000, now: sock.now, setTimer: sock.setTimer });
    const ch = await acceptedChannel(sock, 1, 's1', mux);
    sock.frames.length = 0;
    sock.bufferedAmount = 50_000; // the socket is saturated
    const written = ch.write(Buffer.alloc(5000, 7));
    sock.advance(50);
    expect(sock.dataBytes()).toBe(0);
    mux.scheduler.control('{"type":"heartbeat"}');
    sock.bufferedAmount = 0;
    sock.advance(50);
    await written;
    expect(sock.frames[0]).toBe('{"type":"heartbeat"}');
    expect(sock.dataBytes()).toBe(5000);
    const d = decodeDataFrame(sock.frames[1] as Buffer);
    expect(d).toMatchObject({ ok: true, channel: 1 });
  });

  it('sends only within credit, and closes a channel whose peer sends beyond the credit it was granted', async () => {
    const sock = fakeSocket();
    const mux = new ChannelMux(sock, { side: 'agent', window: 1000, maxChunk: 600, now: sock.now, setTimer: sock.setTimer });
    let ch!: import('./channel.js').Channel;
    mux.onOpen(() => ({ accept: (c) => void (ch = c) }));
    await mux.handle({ type: 'channel-open', channel: 5, kind: 'bulk', credit: 700 });
    expect(JSON.parse(sock.frames[0] as string)).toEqual({ type: 'channel-accept', channel: 5, credit: 1000 });
    void ch.write(Buffer.alloc(2000)).catch(() => undefined);
    expect(sock.dataBytes()).toBe(700);
    void mux.handle({ type: 'channel-credit', channel: 5, bytes: 1300 });
    expect(sock.dataBytes()).toBe(2000);
    const frame = Buffer.alloc(4 + 1001);
    frame.writeUInt32BE(5, 0);
    mux.handleBinary(frame);
    expect(JSON.parse(sock.frames.at(-1) as string)).toEqual({ type: 'channel-close', channel: 5, reason: 'credit_exceeded' });
    expect(ch.closed).toBe('credit_exceeded');
  });

  it('closing a session closes all its channels at once, and only its own', async () => {
    const sock = fakeSocket();
    const mux = new ChannelMux(sock, { side: 'agent', now: sock.now, setTimer: sock.setTimer });
    const opened: import('./channel.js').Channel[] = [];
    mux.onOpen(() => ({ accept: (c) => void opened.push(c) }));
    for (const [channel, session] of [[1, 's1'], [3, 's1'], [5, 's2']] as const) await mux.handle({ type: 'channel-open', channel, kind: 'k', session });
    expect(mux.closeSession('s1')).toBe(2);
    expect(opened.map((c) => c.closed)).toEqual(['session_ended', 'session_ended', undefined]);
    const closes = sock.frames.map((f) => JSON.parse(f as string)).filter((m) => m.type === 'channel-close');
    expect(closes).toEqual([{ type: 'channel-close', channel: 1, reason: 'session_ended' }, { type: 'channel-close', channel: 3, reason: 'session_ended' }]);
  });
});
