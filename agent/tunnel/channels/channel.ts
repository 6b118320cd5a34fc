import { EventEmitter } from 'node:events';
import type { ChannelCloseReason } from './close-reasons.js';
import type { DataSource } from './scheduler.js';
import type { TokenBucket } from './token-bucket.js';

/** What a channel needs from its mux: control frames out, the scheduler woken, its own end reported. */
export interface ChannelLink {
  grant(channel: Channel, bytes: number): void;
  wake(channel: Channel): void;
  ended(channel: Channel, reason: ChannelCloseReason, tellPeer: boolean): void;
}

export interface ChannelInfo {
  id: number;
  kind: string;
  session: string | undefined;
  params: Readonly<Record<string, string | number | boolean>>;
  /** Bytes this end lets the peer send before it grants more (its receive window). */
  window: number;
  /** Bytes the peer let this end send before waiting for credit. */
  credit: number;
  bucket: TokenBucket | undefined;
}

/** Counters that show the flow control holds, for tests and status. */
export interface ChannelStats {
  bytesSent: number;
  bytesReceived: number;
  /** Received and not yet consumed by the reader, now and at most so far: never above the window. */
  unconsumed: number;
  maxUnconsumed: number;
  /** Written and waiting for credit or the scheduler. */
  queued: number;
}

export type Reader = (chunk: Buffer) => void | Promise<void>;

/** At most one credit message per this share of the window, unless the reader has caught up. */
const GRANT_FRACTION = 4;

/**
 * One multiplexed byte stream. Sending: write() resolves when its bytes are handed to the socket, which happens
 * only within the peer's credit; one write at a time, so a channel holds at most the one buffer its writer awaits.
 * Receiving: the reader (setReader) gets chunks one at a time, the next only after the previous one's promise
 * settles; credit goes back to the peer as the reader consumes, so bytes held never exceed the window.
 * Events: 'close' (reason).
 */
export class Channel extends EventEmitter implements DataSource {
  readonly id: number;
  readonly kind: string;
  readonly session: string | undefined;
  readonly params: Readonly<Record<string, string | number | boolean>>;
  readonly window: number;
  readonly bucket: TokenBucket | undefined;
  private credit: number;
  /** Credit still open to the peer: what it may send before we grant more. */
  private peerCredit: number;
  private toGrant = 0;
  private pending?: { buf: Buffer; offset: number; resolve: () => void; reject: (err: Error) => void };
  private readonly inbox: Buffer[] = [];
  private reader?: Reader;
  private reading = false;
  private closedWith?: ChannelCloseReason;
  /** The peer closed: deliver what is held, then end. */
  private draining = false;
  readonly stats: ChannelStats = { bytesSent: 0, bytesReceived: 0, unconsumed: 0, maxUnconsumed: 0, queued: 0 };

  constructor(
    info: ChannelInfo,
    private readonly link: ChannelLink,
  ) {
    super();
    this.id = info.id;
    this.kind = info.kind;
    this.session = info.session;
    this.params = info.params;
    this.window = info.window;
    this.credit = info.credit;
    this.peerCredit = info.window;
    this.bucket = info.bucket;
  }

  get closed(): ChannelCloseReason | undefined {
    return this.closedWith;
  }

  /** Sends `buf`; resolves when all of it went to the socket, rejects if the channel closes first. */
  write(buf: Buffer): Promise<void> {
    if (this.closedWith || this.draining) return Promise.reject(new Error(`channel ${this.id} is closed (${this.closedWith ?? 'closed by the peer'})`));
    if (this.pending) return Promise.reject(new Error(`channel ${this.id}: await the previous write first`));
    if (!buf.length) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.pending = { buf, offset: 0, resolve, reject };
      this.stats.queued = buf.length;
      this.link.wake(this);
    });
  }

  /** The consumer of incoming bytes; chunks held so far are delivered now. */
  setReader(reader: Reader): void {
    this.reader = reader;
    void this.deliver();
  }

  /** Closes this end and tells the peer. */
  close(reason: ChannelCloseReason = 'done'): void {
    this.end(reason, true);
  }

  // --- DataSource (the scheduler) ---

  sendable(): number {
    if (!this.pending || this.closedWith) return 0;
    return Math.min(this.credit, this.pending.buf.length - this.pending.offset);
  }

  take(max: number): Buffer {
    const p = this.pending!;
    const n = Math.min(max, this.sendable());
    const chunk = p.buf.subarray(p.offset, p.offset + n);
    p.offset += n;
    this.credit -= n;
    this.stats.bytesSent += n;
    this.stats.queued = p.buf.length - p.offset;
    if (p.offset >= p.buf.length) {
      this.pending = undefined;
      p.resolve();
    }
    return chunk;
  }

  // --- from the mux (the peer's messages) ---

  /** Bytes from the peer; false when they are beyond the credit granted (the mux closes the channel). */
  received(payload: Buffer): boolean {
    if (this.closedWith || this.draining) return true; // in flight when we closed: dropped
    if (payload.length > this.peerCredit) return false;
    this.peerCredit -= payload.length;
    this.stats.bytesReceived += payload.length;
    if (!payload.length) return true;
    this.inbox.push(payload);
    this.stats.unconsumed += payload.length;
    this.stats.maxUnconsumed = Math.max(this.stats.maxUnconsumed, this.stats.unconsumed);
    void this.deliver();
    return true;
  }

  /** More credit from the peer; false when the total would pass the protocol's integer range. */
  credited(bytes: number): boolean {
    if (this.credit + bytes > 2 ** 31 - 1) return false;
    this.credit += bytes;
    if (this.pending) this.link.wake(this);
    return true;
  }

  /** The peer closed the channel: what the reader has not had yet is still delivered, then 'close'. */
  peerClosed(reason: ChannelCloseReason): void {
    if (this.closedWith || this.draining) return;
    this.draining = true;
    this.failPending(reason);
    if (!this.inbox.length && !this.reading) this.end(reason, false);
    else this.once('drained', () => this.end(reason, false));
  }

  /** Ends at once, nothing more delivered (the connection went, or the mux closed it). */
  end(reason: ChannelCloseReason, tellPeer: boolean): void {
    if (this.closedWith) return;
    this.closedWith = reason;
    this.failPending(reason);
    this.inbox.length = 0;
    this.stats.unconsumed = 0;
    this.link.ended(this, reason, tellPeer && !this.draining);
    this.emit('close', reason);
  }

  private failPending(reason: string): void {
    const p = this.pending;
    this.pending = undefined;
    this.stats.queued = 0;
    p?.reject(new Error(`channel ${this.id} closed (${reason})`));
  }

  private async deliver(): Promise<void> {
    if (this.reading || !this.reader) return;
    this.reading = true;
    try {
      while (this.inbox.length && !this.closedWith) {
        const chunk = this.inbox.shift()!;
        try {
          await this.reader(chunk);
        } catch {
          this.end('error', true);
          return;
        }
        this.consumed(chunk.length);
      }
    } finally {
      this.reading = false;
    }
    if (this.draining) this.emit('drained');
  }

  private consumed(n: number): void {
    this.stats.unconsumed -= n;
    if (this.draining || this.closedWith) return;
    this.toGrant += n;
    if (this.toGrant >= this.window / GRANT_FRACTION || !this.inbox.length) {
      const bytes = this.toGrant;
      this.toGrant = 0;
      this.peerCredit += bytes;
      this.link.grant(this, bytes);
    }
  }
}
