import type { ObservedExchange } from '../../../firmware-bridge/health/observed-exchange.js';
import { LinkWindow, type LinkSummary } from './link-window.js';

export interface HealthView {
  /** null until an exchange has told us. */
  noResponse: boolean | null;
  hardwareFault: boolean | null;
  firmwareVersion: string | null;
  cardPresent: boolean | null;
  cardInsertions: number;
  window: LinkSummary;
  lastReplyAtMs: number | null;
  /** When an exchange last told us anything (a reply, or a request left unanswered); null: never. */
  lastObservedAtMs: number | null;
  /** Whether any exchange did since the device was last found: a verdict about the reader needs one. */
  observedSinceFound: boolean;
  /** The settlement software's unanswered requests in a row (bridge). */
  appTimeoutStreak: number;
  exchanges: { app: number; probe: number };
}

/**
 * What a serial reader's exchanges say about it, whoever made them. Our own probe already retried, so one failed
 * probe means no response; the settlement software's requests are judged after `noResponseAfter` in a row (it may
 * retry on its own, and one lost request is a link error, not a dead reader). Any reply at all means it answers.
 */
export class ReaderHealth {
  private readonly window: LinkWindow;
  private noResponse: boolean | null = null;
  private hardwareFault: boolean | null = null;
  private firmwareVersion: string | null = null;
  private cardPresent: boolean | null = null;
  private cardInsertions = 0;
  private lastReplyAt: number | null = null;
  private lastObservedAt: number | null = null;
  private observedSinceFound = false;
  private appTimeoutStreak = 0;
  private readonly counts = { app: 0, probe: 0 };

  constructor(
    windowMs: number,
    private readonly noResponseAfter: number,
  ) {
    this.window = new LinkWindow(windowMs);
  }

  record(e: ObservedExchange): void {
    this.counts[e.source]++;
    this.lastObservedAt = e.at;
    this.observedSinceFound = true;
    this.window.add(e.at, e.failed, e.noise);
    if (e.outcome === 'timeout') {
      if (e.source === 'probe') this.noResponse = true;
      else if (++this.appTimeoutStreak >= this.noResponseAfter) this.noResponse = true;
      return;
    }
    this.noResponse = false;
    this.appTimeoutStreak = 0;
    this.lastReplyAt = e.at;
    const reply = e.reply;
    if (!reply) return; // a NAK: the reader is alive but refused
    if (reply.readerStatus) {
      this.hardwareFault = reply.readerStatus.hardwareFault;
      const present = reply.readerStatus.cardPresent;
      if (present && this.cardPresent === false) this.cardInsertions++;
      this.cardPresent = present;
    } else if (reply.hardwareFault) {
      this.hardwareFault = true;
    }
    if (reply.version !== undefined) this.firmwareVersion = reply.version;
  }

  /**
   * The device went away. What it said no longer holds: the one plugged back in may be another reader, and a stale
   * "no response" must not greet it. The link-error window is kept: those errors happened.
   */
  deviceLost(): void {
    this.noResponse = null;
    this.hardwareFault = null;
    this.firmwareVersion = null;
    this.cardPresent = null;
    this.observedSinceFound = false;
    this.appTimeoutStreak = 0;
  }

  view(now: number): HealthView {
    return {
      noResponse: this.noResponse,
      hardwareFault: this.hardwareFault,
      firmwareVersion: this.firmwareVersion,
      cardPresent: this.cardPresent,
      cardInsertions: this.cardInsertions,
      window: this.window.summary(now),
      lastReplyAtMs: this.lastReplyAt,
      lastObservedAtMs: this.lastObservedAt,
      observedSinceFound: this.observedSinceFound,
      appTimeoutStreak: this.appTimeoutStreak,
      exchanges: { ...this.counts },
    };
  }
}
