import type { ProbeResult } from '../checks/result.js';
import { errorEvidence, type ExecOutcome, type ProbeExecutor } from '../checks/executor.js';
import { frameworkFailure } from './framework-result.js';
import type { Timers } from './timers.js';
import type { RunInfo, RunTrigger, ScheduledCheck, SchedulerOptions, SchedulerLogger } from './types.js';

export interface CompletedRun {
  results: ProbeResult[];
  run: RunInfo;
}

/** How the race between execution, timeout and shutdown ended. */
type Ending = ExecOutcome | { kind: 'timeout' } | { kind: 'abandoned' };

interface SlotDeps {
  timers: Timers;
  onResults: SchedulerOptions['onResults'];
  logger?: SchedulerLogger;
}

/**
 * One check's run state: at most one run at a time (a second trigger joins the run in progress),
 * each run bounded by the check's timeout, results delivered to onResults exactly once per run.
 */
export class CheckSlot {
  readonly check: ScheduledCheck;
  readonly #executor: ProbeExecutor;
  readonly #deps: SlotDeps;
  #current: Promise<CompletedRun | null> | null = null;
  #abandonCurrent: (() => void) | null = null;

  constructor(check: ScheduledCheck, executor: ProbeExecutor, deps: SlotDeps) {
    this.check = check;
    this.#executor = executor;
    this.#deps = deps;
  }

  /** The run in progress, if any. */
  get current(): Promise<CompletedRun | null> | null {
    return this.#current;
  }

  /** Starts a run, or joins the one in progress. Resolves to null only when the run was abandoned at shutdown. */
  run(trigger: RunTrigger): Promise<CompletedRun | null> {
    if (this.#current) return this.#current;
    const running = this.#execute(trigger).finally(() => {
      this.#current = null;
      this.#abandonCurrent = null;
    });
    this.#current = running;
    return running;
  }

  /** Gives up the run in progress (shutdown): its execution is aborted and nothing is reported. */
  abandon(): void {
    this.#abandonCurrent?.();
  }

  close(budgetMs: number): Promise<void> {
    return this.#executor.close(budgetMs);
  }

  async #execute(trigger: RunTrigger): Promise<CompletedRun | null> {
    const { timers } = this.#deps;
    const { id, timeoutSeconds } = this.check;
    const startMs = timers.now();
    const controller = new AbortController();
    let timer: unknown;
    const timedOut = new Promise<Ending>((resolve) => {
      // While the executor is still starting, the run's own time has not begun: wait another timeout's worth.
      const arm = () => {
        timer = timers.setTimeout(() => (this.#executor.starting?.() ? arm() : resolve({ kind: 'timeout' })), timeoutSeconds * 1000);
      };
      arm();
    });
    const abandoned = new Promise<Ending>((resolve) => {
      this.#abandonCurrent = () => resolve({ kind: 'abandoned' });
    });
    const executed = this.#executor
      .execute(controller.signal)
      .catch((err: unknown): Ending => ({ kind: 'probe_error', evidence: errorEvidence(err) }));

    let ending: Ending;
    try {
      ending = await Promise.race([executed, timedOut, abandoned]);
    } finally {
      timers.clearTimeout(timer);
    }
    if (ending.kind === 'timeout' || ending.kind === 'abandoned') {
      controller.abort(new Error(`check ${id}: run ${ending.kind === 'timeout' ? 'timed out' : 'abandoned at shutdown'}`));
    }
    if (ending.kind === 'abandoned') return null;

    const endMs = timers.now();
    const durationMs = Math.max(0, endMs - startMs);
    const results = this.#resultsOf(ending, endMs, durationMs);
    const run: RunInfo = {
      trigger,
      startedAt: new Date(startMs).toISOString(),
      durationMs,
      outcome: ending.kind,
    };
    try {
      await this.#deps.onResults(id, results, run);
    } catch (err) {
      this.#deps.logger?.error({ checkId: id, err }, 'handling check results failed');
    }
    return { results, run };
  }

  #resultsOf(ending: Exclude<Ending, { kind: 'abandoned' }>, endMs: number, durationMs: number): ProbeResult[] {
    const { id, timeoutSeconds } = this.check;
    switch (ending.kind) {
      case 'ok':
        return ending.results;
      case 'timeout':
        return [frameworkFailure(id, 'timeout', { timeoutSeconds }, endMs, durationMs)];
      default:
        return [frameworkFailure(id, ending.kind, ending.evidence, endMs, durationMs)];
    }
  }
}
