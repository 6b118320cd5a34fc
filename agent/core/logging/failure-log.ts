import type { Logger } from 'pino';

type TransitionLogger = Pick<Logger, 'warn' | 'info'>;

interface Failing {
  message: string;
  failures: number;
  since: string;
}

/**
 * Logs a repeating failure of one source (the desk upload, the state file, a check's plugin) only when it changes:
 * "started failing: X" once (warn), identical repeats only counted, a different error logged again,
 * and "working again after N failures" (info) on the first success. Keeps agent.log readable during long outages.
 */
export class FailureLog {
  readonly #logger: TransitionLogger;
  readonly #failing = new Map<string, Failing>();
  readonly #now: () => Date;

  constructor(logger: TransitionLogger, now: () => Date = () => new Date()) {
    this.#logger = logger;
    this.#now = now;
  }

  /** Records one failure of `source`; logs only if it was working before or the error changed. */
  failure(source: string, error: unknown, fields: Record<string, unknown> = {}): void {
    const message = messageOf(error);
    const current = this.#failing.get(source);
    if (!current) {
      this.#failing.set(source, { message, failures: 1, since: this.#now().toISOString() });
      this.#logger.warn({ source, error: message, ...fields }, `${source}: started failing: ${message}`);
      return;
    }
    current.failures += 1;
    if (current.message !== message) {
      current.message = message;
      this.#logger.warn(
        { source, error: message, failures: current.failures, ...fields },
        `${source}: still failing, now: ${message}`,
      );
    }
  }

  /** Records a success of `source`; logs once if it was failing. */
  success(source: string, fields: Record<string, unknown> = {}): void {
    const current = this.#failing.get(source);
    if (!current) return;
    this.#failing.delete(source);
    this.#logger.info(
      { source, failures: current.failures, failingSince: current.since, ...fields },
      `${source}: working again after ${current.failures} failure${current.failures === 1 ? '' : 's'}`,
    );
  }

  isFailing(source: string): boolean {
    return this.#failing.has(source);
  }

  /** Consecutive failures of `source` so far (0 when working). */
  failures(source: string): number {
    return this.#failing.get(source)?.failures ?? 0;
  }
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : String(error);
}
