/**
 * A token bucket over bytes: `ratePerSecond` tokens a second, at most `burst` held. Over any interval of t seconds
 * it lets through at most burst + rate × t bytes — the property the bandwidth cap rests on. The clock is injected so
 * that property can be checked without waiting.
 */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(ratePerSecond > 0) || !(burst > 0)) throw new RangeError('a token bucket needs a positive rate and burst');
    this.tokens = burst;
    this.at = now();
  }

  /** Whole bytes that may go now. */
  available(): number {
    this.refill();
    return Math.floor(this.tokens);
  }

  /** Spends `n` bytes; the caller checked available() first. */
  take(n: number): void {
    this.refill();
    this.tokens -= n;
  }

  /** Milliseconds until `n` bytes (at most the burst) are available. */
  msUntil(n: number): number {
    this.refill();
    const missing = Math.min(n, this.burst) - this.tokens;
    return missing <= 0 ? 0 : Math.ceil((missing / this.ratePerSecond) * 1000);
  }

  private refill(): void {
    const now = this.now();
    if (now > this.at) this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.ratePerSecond);
    this.at = now;
  }
}
