import { performance } from 'node:perf_hooks';
import type { ProbeResult } from '../../core/checks/result.js';

/** A result without its timing, which the stopwatch fills in. */
export type ResultBody = Omit<ProbeResult, 'time' | 'durationMs'>;

/**
 * Starts timing one subject. Calling the returned function stamps the result with the (injectable) wall clock
 * and the elapsed monotonic time, so a clock jump never yields a negative duration.
 */
export function stopwatch(now: () => Date): (body: ResultBody) => ProbeResult {
  const started = performance.now();
  return (body) => ({ ...body, time: now().toISOString(), durationMs: Math.round((performance.now() - started) * 10) / 10 });
}

/** Throws the signal's reason when the run was abandoned, so a probe stops between subjects. */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('check run aborted');
}

/** An error's code (ENOENT, EACCES, ...) or its message: safe evidence, never a stack. */
export function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  return err instanceof Error ? err.message.slice(0, 200) : String(err).slice(0, 200);
}
