import type { ProbeExecutor } from '../checks/executor.js';
import type { ProbeResult } from '../checks/result.js';
import { IsolatedProbeHost } from '../isolation/isolated-probe-host.js';
import { realDelay } from '../real-delay.js';
import { CheckSlot } from './check-slot.js';
import { InProcessExecutor } from './in-process-executor.js';
import { realTimers, type Timers } from './timers.js';
import type { ScheduledCheck, SchedulerLogger, SchedulerOptions } from './types.js';

const DEFAULT_JITTER_PERCENT = 10;
/** Time left for closing probes and children after the grace period; keeps stop() well inside a 5 s SIGTERM budget. */
const CLOSE_BUDGET_MS = 1000;

type SchedulerState = 'idle' | 'running' | 'stopping' | 'stopped';

/**
 * Runs every check on its interval: a start-up sweep of all checks at once, then each check at a random point of
 * its first interval (so checks do not run in lockstep), then every interval ± jitter.
 * A hung or crashing check only ever affects its own results.
 */
export class Scheduler {
  readonly #slots = new Map<string, CheckSlot>();
  readonly #timers: Timers;
  readonly #random: () => number;
  readonly #logger: SchedulerLogger | undefined;
  readonly #ticks = new Map<string, unknown>();
  #state: SchedulerState = 'idle';
  #stopping: Promise<void> | null = null;

  constructor(options: SchedulerOptions) {
    this.#timers = options.timers ?? realTimers;
    this.#random = options.random ?? Math.random;
    this.#logger = options.logger;
    for (const check of options.checks) {
      validateCheck(check);
      if (this.#slots.has(check.id)) throw new Error(`scheduler: duplicate check id "${check.id}"`);
      const ctx = options.contextFor(check.id);
      const executor: ProbeExecutor = check.isolated
        ? new IsolatedProbeHost({
            checkId: check.id,
            moduleUrl: check.plugin.moduleUrl,
            config: check.config,
            state: ctx.state,
            context: { ...(ctx.site ? { site: ctx.site } : {}), ...(ctx.stateDir ? { stateDir: ctx.stateDir } : {}) },
          })
        : new InProcessExecutor(check.plugin, check.config, ctx, () => this.#timers.now());
      this.#slots.set(check.id, new CheckSlot(check, executor, {
        timers: this.#timers,
        onResults: options.onResults,
        ...(this.#logger ? { logger: this.#logger } : {}),
      }));
    }
  }

  get checkIds(): string[] {
    return [...this.#slots.keys()];
  }

  /** True while a run of the check is in progress. */
  isRunning(checkId: string): boolean {
    return this.#slotOf(checkId).current !== null;
  }

  /** Starts scheduling. Resolves when the start-up sweep has finished (every check ran once and was reported). */
  async start(): Promise<void> {
    if (this.#state !== 'idle') throw new Error(`scheduler: cannot start when ${this.#state}`);
    this.#state = 'running';
    const sweep = [...this.#slots.values()].map((slot) => slot.run('startup'));
    for (const slot of this.#slots.values()) {
      this.#arm(slot, this.#random() * slot.check.intervalSeconds * 1000);
    }
    await Promise.all(sweep);
  }

  /**
   * Runs the given checks (all when omitted) now and returns their results. A run already in progress is joined.
   * Rejects for an unknown id, after stop(), or when a run was abandoned because the scheduler stopped meanwhile.
   */
  async runNow(ids?: string[]): Promise<Map<string, ProbeResult[]>> {
    if (this.#state === 'stopping' || this.#state === 'stopped') throw new Error('scheduler: stopped');
    const wanted = [...new Set(ids ?? this.#slots.keys())];
    const unknown = wanted.filter((id) => !this.#slots.has(id));
    if (unknown.length > 0) {
      throw new Error(`scheduler: unknown check id(s): ${unknown.join(', ')} (known: ${this.checkIds.join(', ') || 'none'})`);
    }
    const finished = await Promise.all(wanted.map(async (id) => [id, await this.#slotOf(id).run('manual')] as const));
    const results = new Map<string, ProbeResult[]>();
    for (const [id, done] of finished) {
      if (!done) throw new Error(`scheduler: run of check "${id}" was abandoned because the scheduler stopped`);
      results.set(id, done.results);
    }
    return results;
  }

  /**
   * Stops scheduling, waits up to `graceMs` (real time) for running checks, then abandons them: signals are aborted
   * and isolated children killed. Probes are closed. Returns within graceMs + ~1 s.
   */
  stop(graceMs = 3000): Promise<void> {
    this.#stopping ??= this.#shutdown(graceMs);
    return this.#stopping;
  }

  async #shutdown(graceMs: number): Promise<void> {
    this.#state = 'stopping';
    for (const handle of this.#ticks.values()) this.#timers.clearTimeout(handle);
    this.#ticks.clear();
    const slots = [...this.#slots.values()];
    const running = slots.map((slot) => slot.current).filter((run) => run !== null);
    if (running.length > 0) await Promise.race([Promise.allSettled(running), realDelay(graceMs)]);
    for (const slot of slots) slot.abandon();
    const closed = await Promise.allSettled(slots.map((slot) => slot.close(CLOSE_BUDGET_MS)));
    closed.forEach((outcome, i) => {
      if (outcome.status === 'rejected') {
        this.#logger?.warn({ checkId: slots[i]?.check.id, err: outcome.reason }, 'closing probe failed');
      }
    });
    this.#state = 'stopped';
  }

  #arm(slot: CheckSlot, delayMs: number): void {
    const handle = this.#timers.setTimeout(() => this.#tick(slot), Math.max(1, delayMs));
    this.#ticks.set(slot.check.id, handle);
  }

  #tick(slot: CheckSlot): void {
    if (this.#state !== 'running') return;
    // Arm the next tick first: the schedule never depends on how this run ends.
    this.#arm(slot, this.#jittered(slot.check));
    if (slot.current) {
      this.#logger?.debug({ checkId: slot.check.id }, 'previous run still in progress; tick skipped');
      return;
    }
    void slot.run('schedule');
  }

  #jittered(check: ScheduledCheck): number {
    const spread = Math.min(Math.max(check.jitterPercent ?? DEFAULT_JITTER_PERCENT, 0), 100) / 100;
    return check.intervalSeconds * 1000 * (1 + spread * (2 * this.#random() - 1));
  }

  #slotOf(checkId: string): CheckSlot {
    const slot = this.#slots.get(checkId);
    if (!slot) throw new Error(`scheduler: unknown check id "${checkId}"`);
    return slot;
  }
}

function validateCheck(check: ScheduledCheck): void {
  if (!(check.intervalSeconds > 0)) throw new Error(`scheduler: check "${check.id}": intervalSeconds must be > 0`);
  if (!(check.timeoutSeconds > 0)) throw new Error(`scheduler: check "${check.id}": timeoutSeconds must be > 0`);
}
