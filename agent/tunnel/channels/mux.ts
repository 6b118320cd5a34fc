import type { ChannelMessage } from '../protocol/messages.js';
import { Channel, type ChannelLink } from './channel.js';
import { isChannelCloseReason, type ChannelCloseReason } from './close-reasons.js';
import { decodeDataFrame } from './data-frame.js';
import { SendScheduler, type FrameTransport, type SetTimer } from './scheduler.js';
import { TokenBucket } from './token-bucket.js';

/** A channel the peer asks to open, for the open handler to decide on. */
export interface OpenRequest {
  channel: number;
  kind: string;
  session: string | undefined;
  by: string | undefined;
  purpose: string | undefined;
  params: Readonly<Record<string, string | number | boolean>>;
}

/** The handler's answer: accept (and take the channel), or refuse with a reason from the closed list. */
export type OpenDecision = { accept: (channel: Channel) => void; window?: number } | { refuse: ChannelCloseReason };
export type OpenHandler = (request: OpenRequest) => OpenDecision | Promise<OpenDecision>;

export interface OpenOptions {
  kind: string;
  session?: string;
  by?: string;
  purpose?: string;
  params?: Record<string, string | number | boolean>;
  /** This end's receive window (default: the mux's). */
  window?: number;
}

export interface MuxOptions {
  /** Which end this is: the agent opens even channel numbers, the desk odd ones. */
  side: 'agent' | 'desk';
  /** Receive window per channel, bytes (default 256 KiB). */
  window: number;
  /** Channel data waits while the socket buffers this much (default 1 MiB). */
  highWaterMark: number;
  /** Largest payload of one data frame (default 16 KiB, well under the peer's frame limit). */
  maxChunk: number;
  /** Bandwidth cap of each session, across its channels, bytes a second; 0: none (default 0). */
  sessionBytesPerSecond: number;
  /** Channels open at once, at most (default 64). */
  maxChannels: number;
  /** How long open() waits for the peer's answer (default 30 s). */
  openTimeoutMs: number;
  pollMs: number;
  now: () => number;
  setTimer?: SetTimer;
  /** Where protocol trouble is told (a logger's warn). */
  warn: (fields: Record<string, unknown>, message: string) => void;
}

/** A session's bucket holds this many seconds of its rate (at least one chunk). */
const BUCKET_BURST_SECONDS = 0.05;

const DEFAULTS: Omit<MuxOptions, 'side'> = {
  window: 256 * 1024,
  highWaterMark: 1024 * 1024,
  maxChunk: 16 * 1024,
  sessionBytesPerSecond: 0,
  maxChannels: 64,
  openTimeoutMs: 30_000,
  pollMs: 5,
  // Sub-millisecond, so a bucket refills by what each moment really earned.
  now: () => performance.now(),
  warn: () => undefined,
};

interface PendingOpen {
  options: OpenOptions;
  resolve: (c: Channel) => void;
  reject: (e: Error) => void;
  cancelTimer: () => void;
}

/**
 * Channels over one WebSocket: opening (ours, and the peer's through the open handler), per-channel credit, a
 * bandwidth bucket per session, and the send scheduler that puts control frames ahead of channel data. Knows no
 * assistance kinds. Feed it the peer's validated channel messages (handle) and binary frames (handleBinary).
 */
export class ChannelMux {
  readonly scheduler: SendScheduler;
  private readonly o: MuxOptions;
  private readonly channels = new Map<number, Channel>();
  private readonly opening = new Map<number, PendingOpen>();
  /** Peer opens waiting for the handler: their numbers are taken. */
  private readonly deciding = new Set<number>();
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly caps = new Map<string, number>();
  private handler?: OpenHandler;
  private nextId: number;
  private stopped = false;
  private readonly link: ChannelLink = {
    grant: (ch, bytes) => this.sendControl({ type: 'channel-credit', channel: ch.id, bytes }),
    wake: (ch) => this.scheduler.wake(ch),
    ended: (ch, reason, tellPeer) => {
      this.channels.delete(ch.id);
      this.scheduler.remove(ch);
      if (tellPeer) this.sendControl({ type: 'channel-close', channel: ch.id, reason });
      if (ch.session && ![...this.channels.values()].some((c) => c.session === ch.session)) {
        this.buckets.delete(ch.session);
      }
    },
  };

  constructor(
    private readonly transport: FrameTransport,
    options: Partial<MuxOptions> & Pick<MuxOptions, 'side'>,
  ) {
    this.o = { ...DEFAULTS, ...options };
    this.nextId = this.o.side === 'agent' ? 2 : 1;
    this.scheduler = new SendScheduler(transport, {
      highWaterMark: this.o.highWaterMark,
      maxChunk: this.o.maxChunk,
      pollMs: this.o.pollMs,
      now: this.o.now,
      ...(this.o.setTimer ? { setTimer: this.o.setTimer } : {}),
    });
  }

  /** The peer may open channels; `handler` decides each one. Without a handler every open is refused. */
  onOpen(handler: OpenHandler): void {
    this.handler = handler;
  }

  /** Caps one session's channels together (bytes a second), in place of sessionBytesPerSecond; call it before they open. */
  limitSession(session: string, bytesPerSecond: number): void {
    this.caps.set(session, bytesPerSecond);
  }

  get bufferedAmount(): number {
    return this.transport.bufferedAmount;
  }

  list(): Channel[] {
    return [...this.channels.values()];
  }

  /** Whether channel `id` is open (accepted and not closed). */
  has(id: number): boolean {
    return this.channels.has(id);
  }

  /** Opens a channel to the peer; resolves when it accepts, rejects when it refuses or does not answer in time. */
  open(options: OpenOptions): Promise<Channel> {
    if (this.stopped) return Promise.reject(new Error('the connection is closed'));
    if (this.channels.size + this.opening.size >= this.o.maxChannels) return Promise.reject(new Error('too many channels'));
    const id = this.nextId;
    this.nextId += 2;
    return new Promise((resolve, reject) => {
      const cancelTimer = this.timer(() => {
        if (!this.opening.delete(id)) return;
        this.sendControl({ type: 'channel-close', channel: id, reason: 'timeout' });
        reject(new Error(`channel ${id}: no answer within ${this.o.openTimeoutMs} ms`));
      }, this.o.openTimeoutMs);
      this.opening.set(id, { options, resolve, reject, cancelTimer });
      this.sendControl({
        type: 'channel-open',
        channel: id,
        kind: options.kind,
        credit: options.window ?? this.o.window,
        ...(options.session !== undefined ? { session: options.session } : {}),
        ...(options.by !== undefined ? { by: options.by } : {}),
        ...(options.purpose !== undefined ? { purpose: options.purpose } : {}),
        ...(options.params ? { params: options.params } : {}),
      });
    });
  }

  /** Closes every channel of `session` at once (the session ended). */
  closeSession(session: string, reason: ChannelCloseReason = 'session_ended'): number {
    this.caps.delete(session);
    let n = 0;
    for (const ch of [...this.channels.values()]) if (ch.session === session) (ch.close(reason), n++);
    for (const [id, p] of [...this.opening]) {
      if (p.options.session !== session) continue;
      this.opening.delete(id);
      p.cancelTimer();
      this.sendControl({ type: 'channel-close', channel: id, reason });
      p.reject(new Error(`channel ${id}: ${reason}`));
      n++;
    }
    return n;
  }

  /** The connection closed: every channel ends with `reason`, the peer is not told (it cannot be). */
  closeAll(reason: ChannelCloseReason = 'connection_lost'): void {
    this.stopped = true;
    for (const ch of [...this.channels.values()]) ch.end(reason, false);
    for (const [id, p] of this.opening) {
      p.cancelTimer();
      p.reject(new Error(`channel ${id}: ${reason}`));
    }
    this.opening.clear();
    this.scheduler.stop();
  }

  /** A validated channel message from the peer. */
  handle(msg: ChannelMessage): void | Promise<void> {
    if (this.stopped) return;
    switch (msg.type) {
      case 'channel-open':
        return this.onPeerOpen(msg);
      case 'channel-accept':
        return this.onAccept(msg.channel, msg.credit);
      case 'channel-data':
        return this.onData(msg.channel, Buffer.from(msg.data, 'base64'));
      case 'channel-credit': {
        const ch = this.channels.get(msg.channel);
        if (ch && !ch.credited(msg.bytes)) this.refuse(ch, 'protocol_error', `credit beyond 2147483647 bytes`);
        return;
      }
      case 'channel-close': {
        const reason = isChannelCloseReason(msg.reason) ? msg.reason : 'error';
        const pending = this.opening.get(msg.channel);
        if (pending) {
          this.opening.delete(msg.channel);
          pending.cancelTimer();
          pending.reject(Object.assign(new Error(`channel ${msg.channel} refused: ${msg.reason}`), { reason: msg.reason }));
          return;
        }
        this.channels.get(msg.channel)?.peerClosed(reason);
        return;
      }
    }
  }

  /** A binary frame from the peer: channel data. */
  handleBinary(frame: Buffer): void {
    if (this.stopped) return;
    const d = decodeDataFrame(frame);
    if (!d.ok) return this.o.warn({ reason: d.reason }, 'dropping a bad channel data frame');
    this.onData(d.channel, d.payload);
  }

  private onData(id: number, payload: Buffer): void {
    const ch = this.channels.get(id);
    // Data for a channel that closed a moment ago is still in flight: dropped, it holds no memory.
    if (!ch) return;
    if (!ch.received(payload)) this.refuse(ch, 'credit_exceeded', `${payload.length} bytes beyond the credit granted`);
  }

  private async onPeerOpen(msg: Extract<ChannelMessage, { type: 'channel-open' }>): Promise<void> {
    const id = msg.channel;
    const ours = (id % 2 === 0) === (this.o.side === 'agent');
    if (ours || this.channels.has(id) || this.deciding.has(id)) return this.sendControl({ type: 'channel-close', channel: id, reason: 'bad_channel' });
    if (!this.handler) return this.sendControl({ type: 'channel-close', channel: id, reason: 'not_supported' });
    if (this.channels.size + this.deciding.size >= this.o.maxChannels) return this.sendControl({ type: 'channel-close', channel: id, reason: 'too_many_channels' });
    const request: OpenRequest = { channel: id, kind: msg.kind, session: msg.session, by: msg.by, purpose: msg.purpose, params: msg.params ?? {} };
    this.deciding.add(id);
    let decision: OpenDecision;
    try {
      decision = await this.handler(request);
    } catch (err) {
      this.o.warn({ channel: id, err: (err as Error).message }, 'the channel open handler failed');
      decision = { refuse: 'error' };
    } finally {
      this.deciding.delete(id);
    }
    if (this.stopped) return;
    if ('refuse' in decision) return this.sendControl({ type: 'channel-close', channel: id, reason: decision.refuse });
    const window = decision.window ?? this.o.window;
    const ch = new Channel({ id, kind: msg.kind, session: msg.session, params: request.params, window, credit: msg.credit ?? 0, bucket: this.bucketFor(msg.session) }, this.link);
    this.channels.set(id, ch);
    this.sendControl({ type: 'channel-accept', channel: id, credit: window });
    decision.accept(ch);
  }

  private onAccept(id: number, credit: number): void {
    const pending = this.opening.get(id);
    if (!pending) {
      // An accept for a channel we never opened (or gave up on): tell the peer it is not open.
      if (!this.channels.has(id)) this.sendControl({ type: 'channel-close', channel: id, reason: 'protocol_error' });
      return;
    }
    this.opening.delete(id);
    pending.cancelTimer();
    const o = pending.options;
    const ch = new Channel({ id, kind: o.kind, session: o.session, params: o.params ?? {}, window: o.window ?? this.o.window, credit, bucket: this.bucketFor(o.session) }, this.link);
    this.channels.set(id, ch);
    pending.resolve(ch);
  }

  private refuse(ch: Channel, reason: ChannelCloseReason, detail: string): void {
    this.o.warn({ channel: ch.id, session: ch.session, reason, detail }, 'closing a channel: the peer broke its rules');
    ch.close(reason);
  }

  private bucketFor(session: string | undefined): TokenBucket | undefined {
    if (session === undefined) return undefined;
    const rate = this.caps.get(session) ?? this.o.sessionBytesPerSecond;
    if (!(rate > 0)) return undefined;
    let b = this.buckets.get(session);
    if (!b) {
      // A burst of 50 ms at the rate, and at least one chunk (anything less and a whole chunk could never go). One
      // chunk only would cap a session at one chunk per timer tick, ~15 MB/s with 16 KiB chunks whatever the rate.
      b = new TokenBucket(rate, Math.max(this.o.maxChunk, Math.ceil(rate * BUCKET_BURST_SECONDS)), this.o.now);
      this.buckets.set(session, b);
    }
    return b;
  }

  private sendControl(m: ChannelMessage): void {
    if (!this.stopped || m.type === 'channel-close') this.scheduler.control(JSON.stringify(m));
  }

  private timer(fn: () => void, ms: number): () => void {
    if (this.o.setTimer) return this.o.setTimer(fn, ms);
    const t = setTimeout(fn, ms);
    t.unref();
    return () => clearTimeout(t);
  }
}
