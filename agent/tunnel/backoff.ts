/**
 * Reconnect delays: exponential backoff with full jitter (a uniformly random wait between 0 and the capped
 * exponential), so a fleet that lost the desk at the same moment does not come back in one synchronized storm.
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly baseMs: number,
    private readonly capMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  /** The wait before the next attempt; grows with each call until reset(). */
  next(): number {
    const ceiling = Math.min(this.capMs, this.baseMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.floor(this.random() * ceiling);
  }

  reset(): void {
    this.attempt = 0;
  }
}

/** A uniformly random duration in [minMs, maxMs]: pings and heartbeats are spread so they do not line up. */
export function between(minMs: number, maxMs: number, random: () => number = Math.random): number {
  return Math.round(minMs + random() * (maxMs - minMs));
}
