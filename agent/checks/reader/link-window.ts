import type { LineNoise } from '../../../firmware-bridge/health/observed-exchange.js';

export interface LinkSummary {
  exchanges: number;
  /** Exchanges whose request got no valid reply the first time (timeout, NAK, a repeat needed). */
  failed: number;
  /** failed / exchanges: the READER_LINK_ERRORS rate. */
  rate: number;
  /** Line noise the exchanges carried: rejected byte sequences and bytes. Its own figure, not part of the rate. */
  noise: LineNoise;
}

/** Exchanges, failed exchanges and line noise over a sliding time window. */
export class LinkWindow {
  /** [time, failed, noise sequences, noise bytes], oldest first. */
  private readonly events: Array<[number, boolean, number, number]> = [];
  private head = 0;

  constructor(
    private readonly windowMs: number,
    /** Bound on memory for a chatty link; beyond it the oldest events go first. */
    private readonly maxEvents = 10_000,
  ) {}

  add(at: number, failed: boolean, noise: LineNoise = { sequences: 0, bytes: 0 }): void {
    this.events.push([at, failed, noise.sequences, noise.bytes]);
    if (this.events.length - this.head > this.maxEvents) this.head++;
    this.compact();
  }

  summary(now: number): LinkSummary {
    const from = now - this.windowMs;
    while (this.head < this.events.length && this.events[this.head]![0] < from) this.head++;
    this.compact();
    let failed = 0;
    const noise = { sequences: 0, bytes: 0 };
    for (let i = this.head; i < this.events.length; i++) {
      const [, f, sequences, bytes] = this.events[i]!;
      if (f) failed++;
      noise.sequences += sequences;
      noise.bytes += bytes;
    }
    const exchanges = this.events.length - this.head;
    return { exchanges, failed, rate: exchanges === 0 ? 0 : failed / exchanges, noise };
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.events.length) {
      this.events.splice(0, this.head);
      this.head = 0;
    }
  }
}
