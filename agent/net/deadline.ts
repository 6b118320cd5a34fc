import { performance } from 'node:perf_hooks';
import { ProbeFailure, type Phase } from './failure.js';
import type { NetReason } from './reasons.js';

const round2 = (x: number): number => Math.round(x * 100) / 100;

/**
 * Per-phase stopwatch on the monotonic clock. `mark(phase)` closes the phase that ran since the previous mark;
 * phases add up when they repeat (redirect hops), and keep their first-run order.
 */
export class PhaseTimer {
  readonly phases: Record<string, number> = {};
  private last = performance.now();
  readonly started = this.last;

  mark(phase: Phase): void {
    const now = performance.now();
    this.phases[phase] = round2((this.phases[phase] ?? 0) + (now - this.last));
    this.last = now;
  }

  /** Restarts the running phase without recording it (time spent between hops belongs to no phase). */
  skip(): void {
    this.last = performance.now();
  }

  totalMs(): number {
    return round2(performance.now() - this.started);
  }
}

/**
 * One endpoint's time budget within a run. `signal` aborts when the run is abandoned (the outer signal) or when the
 * budget is spent; `race` turns the latter into a ProbeFailure with the reason of the phase that was running, and
 * the former into the outer abort reason, so an abandoned run throws instead of reporting a fault.
 */
export class Deadline {
  readonly signal: AbortSignal;
  expired = false;
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly endsAt: number;
  private readonly onOuterAbort: () => void;

  constructor(
    private readonly outer: AbortSignal,
    readonly budgetMs: number,
  ) {
    this.signal = this.controller.signal;
    this.endsAt = performance.now() + budgetMs;
    this.onOuterAbort = () => this.controller.abort(outer.reason);
    if (outer.aborted) this.controller.abort(outer.reason);
    else outer.addEventListener('abort', this.onOuterAbort, { once: true });
    this.timer = setTimeout(() => {
      this.expired = true;
      this.controller.abort(new Error('endpoint timeout'));
    }, budgetMs);
  }

  remainingMs(): number {
    return Math.max(0, this.endsAt - performance.now());
  }

  /** The error to throw now that the signal fired: the outer reason, or a timeout failure of `reason`. */
  failure(reason: NetReason, evidence: Record<string, string | number> = {}): Error {
    if (this.outer.aborted) return this.outer.reason instanceof Error ? this.outer.reason : new Error('check run aborted');
    return new ProbeFailure(reason, { timeoutMs: this.budgetMs, ...evidence });
  }

  /** Resolves with `work`, or rejects at the deadline (`onAbort` cleans up what `work` holds, e.g. destroys a socket). */
  race<T>(work: Promise<T>, timeoutReason: NetReason, onAbort?: () => void): Promise<T> {
    if (this.signal.aborted) {
      onAbort?.();
      work.catch(() => undefined);
      return Promise.reject(this.failure(timeoutReason));
    }
    return new Promise<T>((resolve, reject) => {
      const abort = () => {
        onAbort?.();
        reject(this.failure(timeoutReason));
      };
      this.signal.addEventListener('abort', abort, { once: true });
      work.then(
        (v) => {
          this.signal.removeEventListener('abort', abort);
          resolve(v);
        },
        (e: unknown) => {
          this.signal.removeEventListener('abort', abort);
          reject(e instanceof Error ? e : new Error(String(e)));
        },
      );
    });
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.outer.removeEventListener('abort', this.onOuterAbort);
  }
}
