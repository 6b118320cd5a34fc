/**
 * A token bucket: `burst` tokens at once, refilled at `perSecond`. Taking may overdraw it (the balance goes negative),
 * so a caller that must not refuse can still learn how long to wait: `waitMs` is the time until the balance is back
 * to zero. Times are milliseconds from the caller's clock (monotonic in the desk).
 */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.at = now;
  }

  /** The balance now (negative: overdrawn). */
  balance(now: number): number {
    if (now > this.at) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.perSecond);
      this.at = now;
    }
    return this.tokens;
  }

  /** Takes n only if they are there; false leaves the bucket as it was. */
  tryTake(n: number, now: number): boolean {
    if (this.balance(now) < n) return false;
    this.tokens -= n;
    return true;
  }

  /** Takes n whatever the balance; returns how long until the balance is back to zero (0: not overdrawn). */
  take(n: number, now: number): number {
    this.tokens = this.balance(now) - n;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.perSecond) * 1000);
  }
}
