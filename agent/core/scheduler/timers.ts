/**
 * The clock and timer functions the scheduler uses, injectable so benchmarks and tests can run time faster.
 * Handles are opaque: whatever `setTimeout` returns is handed back to `clearTimeout`.
 */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Milliseconds since the epoch. */
  now(): number;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  now: () => Date.now(),
};
