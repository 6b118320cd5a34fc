import { encodeDataFrame } from './data-frame.js';
import type { TokenBucket } from './token-bucket.js';

/** The part of a WebSocket the scheduler uses (ws's WebSocket has both). */
export interface FrameTransport {
  send(data: Buffer | string): void;
  /** Bytes handed to send() and not yet written to the socket. */
  readonly bufferedAmount: number;
}

/** Something with channel bytes to send: a channel's outgoing side. */
export interface DataSource {
  readonly id: number;
  /** Its session's bandwidth cap, shared by the session's channels; none: uncapped. */
  readonly bucket: TokenBucket | undefined;
  /** Bytes it could send now: what is written and within the peer's credit. */
  sendable(): number;
  /** Removes and returns up to `max` of those bytes. */
  take(max: number): Buffer;
}

export type SetTimer = (fn: () => void, ms: number) => () => void;

export interface SchedulerOptions {
  /** Channel data goes out only while the socket holds less than this (control frames go regardless). */
  highWaterMark: number;
  /** Largest payload of one data frame. */
  maxChunk: number;
  /** How often to look at bufferedAmount again while above the mark (ws has no drain event). */
  pollMs: number;
  setTimer?: SetTimer;
  /** The clock the timers run on (tests pass a fake one with setTimer). */
  now?: () => number;
}

const realTimer: SetTimer = (fn, ms) => {
  const t = setTimeout(fn, ms);
  t.unref();
  return () => clearTimeout(t);
};

/**
 * Decides when channel data goes out. Control frames (events, acks, heartbeats, channel control) are sent at once;
 * channel data only while the socket's buffer is below the high-water mark and its session's bucket has tokens,
 * one chunk per ready channel in turn. It queues nothing itself: bytes stay with their channel (bounded by credit)
 * until they go.
 */
export class SendScheduler {
  private readonly ready: DataSource[] = [];
  private cancelTimer?: () => void;
  private timerDue = Infinity;
  private running = false;
  private stopped = false;
  private readonly setTimer: SetTimer;
  private readonly now: () => number;
  /** Channel payload bytes handed to the transport, in total. */
  dataBytesSent = 0;

  constructor(
    private readonly transport: FrameTransport,
    private readonly o: SchedulerOptions,
  ) {
    this.setTimer = o.setTimer ?? realTimer;
    this.now = o.now ?? Date.now;
  }

  /** A control frame: straight to the socket, ahead of any channel data not yet sent. */
  control(frame: string | Buffer): void {
    if (!this.stopped) this.transport.send(frame);
  }

  /** `source` may have bytes to send (written, or credit arrived). */
  wake(source: DataSource): void {
    if (this.stopped) return;
    if (!this.ready.includes(source)) this.ready.push(source);
    this.run();
  }

  remove(source: DataSource): void {
    const i = this.ready.indexOf(source);
    if (i >= 0) this.ready.splice(i, 1);
  }

  stop(): void {
    this.stopped = true;
    this.ready.length = 0;
    this.cancelTimer?.();
  }

  /** Sends what may go now; arms a timer for what must wait (buffer above the mark, bucket empty). */
  run(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    try {
      let waitMs = Infinity;
      let progressed = true;
      while (progressed && this.ready.length) {
        progressed = false;
        for (const source of [...this.ready]) {
          if (this.transport.bufferedAmount >= this.o.highWaterMark) return this.arm(this.o.pollMs);
          const want = Math.min(this.o.maxChunk, source.sendable());
          if (want <= 0) {
            this.remove(source); // woken again by a write or by credit
            continue;
          }
          let n = want;
          if (source.bucket) {
            n = Math.min(want, source.bucket.available());
            if (n < want) {
              // Wait for a whole chunk rather than trickle tiny frames.
              waitMs = Math.min(waitMs, Math.max(1, source.bucket.msUntil(want)));
              continue;
            }
            source.bucket.take(n);
          }
          const payload = source.take(n);
          this.transport.send(encodeDataFrame(source.id, payload));
          this.dataBytesSent += payload.length;
          progressed = true;
          // Round robin: the channel that just sent goes to the back.
          this.remove(source);
          if (source.sendable() > 0) this.ready.push(source);
        }
      }
      if (this.ready.length && waitMs < Infinity) this.arm(waitMs);
    } finally {
      this.running = false;
    }
  }

  private arm(ms: number): void {
    const due = this.now() + ms;
    if (this.cancelTimer && this.timerDue <= due) return;
    this.cancelTimer?.();
    this.timerDue = due;
    this.cancelTimer = this.setTimer(() => {
      this.cancelTimer = undefined;
      this.timerDue = Infinity;
      this.run();
    }, ms);
  }
}
