import type { CheckPlugin, Probe, ProbeContext } from '../checks/plugin.js';
import { errorEvidence, type ExecOutcome, type ProbeExecutor } from '../checks/executor.js';
import { realDelay } from '../real-delay.js';

/**
 * Runs a non-isolated check's probe in this process. An abandoned run cannot be killed here, only aborted;
 * until its promise settles the probe counts as occupied and every run reports 'busy' instead of starting a second one.
 */
export class InProcessExecutor implements ProbeExecutor {
  readonly #plugin: CheckPlugin;
  readonly #config: unknown;
  readonly #ctx: ProbeContext;
  readonly #now: () => number;
  #probe: Probe | null = null;
  #pending: Promise<unknown> | null = null;
  #pendingSinceMs = 0;

  constructor(plugin: CheckPlugin, config: unknown, ctx: ProbeContext, now: () => number) {
    this.#plugin = plugin;
    this.#config = config;
    this.#ctx = ctx;
    this.#now = now;
  }

  async execute(signal: AbortSignal): Promise<ExecOutcome> {
    if (this.#pending) {
      const busySeconds = Math.round((this.#now() - this.#pendingSinceMs) / 100) / 10;
      return { kind: 'busy', evidence: { busySeconds } };
    }
    let probe: Probe;
    try {
      // Created once; a failed creation is retried at the next run.
      probe = this.#probe ??= this.#plugin.createProbe(this.#config, this.#ctx);
    } catch (err) {
      return { kind: 'probe_error', evidence: errorEvidence(err) };
    }
    const running = Promise.resolve().then(() => probe.run(signal));
    this.#pending = running;
    this.#pendingSinceMs = this.#now();
    const release = (): void => {
      if (this.#pending === running) this.#pending = null;
    };
    running.then(release, release);
    try {
      const results = await running;
      if (!Array.isArray(results)) {
        return { kind: 'probe_error', evidence: { error: 'probe returned no result list' } };
      }
      return { kind: 'ok', results };
    } catch (err) {
      return { kind: 'probe_error', evidence: errorEvidence(err) };
    }
  }

  async close(budgetMs: number): Promise<void> {
    const probe = this.#probe;
    this.#probe = null;
    if (!probe?.close) return;
    // A hung probe may hang in close() too; never let it hold up shutdown.
    await Promise.race([Promise.resolve().then(() => probe.close?.()), realDelay(budgetMs)]);
  }
}
