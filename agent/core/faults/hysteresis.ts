/**
 * Hysteresis for one fault key: open after `raiseAfter` consecutive failures, resolve after `clearAfter`
 * consecutive successes. A key that re-opens soon after resolving is flapping: each re-open within the window
 * doubles the successes needed to resolve (capped), so a probe alternating fail/ok settles into one open fault
 * instead of a stream of transitions (Netdata's delay multiplier, applied to state). The flap memory is forgotten
 * only after a quiet window with no failure at all, so a fault that keeps flapping for hours stays one fault.
 */
export interface HysteresisSettings {
  raiseAfter: number;
  clearAfter: number;
}

export const FLAP_WINDOW_MS = 60 * 60 * 1000;
const MAX_CLEAR_MULTIPLIER = 64;

export class KeyHysteresis {
  fails = 0;
  oks = 0;
  /** Time of the first failure of the current failing streak: the occurrence's original detection time. */
  firstFailAt?: Date;
  /** Openings since the key was last quiet for a whole window. */
  private opens = 0;
  private lastFailAt = -Infinity;

  /** Records a failure; true when the fault should open now. */
  fail(at: Date, s: HysteresisSettings, isOpen: boolean): boolean {
    this.forgetIfQuiet(at);
    this.lastFailAt = at.getTime();
    this.oks = 0;
    if (this.fails === 0) this.firstFailAt = at;
    this.fails++;
    if (isOpen || this.fails < s.raiseAfter) return false;
    this.opens++;
    return true;
  }

  /** Records a success; true when an open fault should resolve now. */
  ok(at: Date, s: HysteresisSettings, isOpen: boolean): boolean {
    this.fails = 0;
    this.firstFailAt = undefined;
    this.oks++;
    return isOpen && this.oks >= this.clearAfter(at, s);
  }

  /** Successes needed to resolve, grown while the key flaps. */
  clearAfter(at: Date, s: HysteresisSettings): number {
    this.forgetIfQuiet(at);
    return s.clearAfter * Math.min(MAX_CLEAR_MULTIPLIER, 2 ** Math.max(0, this.opens - 1));
  }

  isFlapping(at: Date): boolean {
    this.forgetIfQuiet(at);
    return this.opens > 1;
  }

  /** Nothing worth remembering: no streak and no flap memory. */
  idle(at: Date): boolean {
    this.forgetIfQuiet(at);
    return this.fails === 0 && this.opens === 0;
  }

  private forgetIfQuiet(at: Date): void {
    if (at.getTime() - this.lastFailAt >= FLAP_WINDOW_MS) this.opens = 0;
  }
}
