import type { Evidence, ProbeResult } from './result.js';

// The executor contract: what runs a probe (in this process, or isolated in a child) and how a run ends. The
// scheduler drives executors and the isolation host is one, so the contract sits below both of them.

/**
 * How one probe execution ended, as seen by whoever executed it (in this process or in a child).
 * Timeouts are not here: the scheduler decides those, and aborts the execution.
 */
export type ExecOutcome =
  | { kind: 'ok'; results: ProbeResult[] }
  | { kind: 'busy'; evidence: Evidence }
  | { kind: 'probe_error'; evidence: Evidence }
  | { kind: 'crashed'; evidence: Evidence };

/** Runs one check's probe. One instance per check; the scheduler never calls `execute` twice at once. */
export interface ProbeExecutor {
  /** Never rejects. When `signal` aborts the caller has given up; the executor releases what it can. */
  execute(signal: AbortSignal): Promise<ExecOutcome>;
  /**
   * True while the executor is still getting ready (an isolated child starting, bounded by its own start timeout):
   * the check's timeout counts from readiness, so a slow start on a slow terminal is not a hung check.
   */
  starting?(): boolean;
  /** Releases the probe (and its process); gives up after `budgetMs`. */
  close(budgetMs: number): Promise<void>;
}

const MAX_ERROR_CHARS = 500;

/**
 * Evidence for a probe that threw. The message comes from our own plugin code, which never puts secret values
 * into messages (Secret prints as "[redacted]" anyway); it is truncated so a runaway message cannot bloat faults.
 */
export function errorEvidence(err: unknown): Evidence {
  const raw = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return { error: raw.length > MAX_ERROR_CHARS ? `${raw.slice(0, MAX_ERROR_CHARS)}…` : raw };
}
