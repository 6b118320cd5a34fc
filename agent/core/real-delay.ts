/**
 * Resolves after `ms` of real time without keeping the process alive: the deadline of a shutdown or of an executor's
 * close budget. Real time on purpose, even where the scheduler runs on injected timers: a stuck probe must not hold
 * up an exit. Shared by the scheduler and the isolation host, hence here rather than in either.
 */
export function realDelay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)).unref());
}
