/**
 * Wraps check plugins for accelerated runs (plain JS: used by the compiled-agent child and the tsx benches alike).
 * - Counts probe runs per check type, for the report.
 * - Gives the clock check a monotonic clock on the virtual clock: with real monotonic time, every accelerated
 *   minute would look like a 60 s jump of the system clock and raise CLOCK_JUMPED all day long.
 * Everything else is the plugin's own: schema, probe, rules, faults.
 */
// The agent's own default (bench.mjs builds dist/ first), so the bench measures what a terminal does.
import { HISTORY_FLUSH_MS } from '../../dist/agent/core/runtime/agent.js';

export function instrumentPlugins(plugins, clock) {
  const runs = new Map();
  const wrapped = plugins.map((plugin) => ({
    ...plugin,
    createProbe(config, ctx) {
      const probe = plugin.createProbe(config, plugin.type === 'clock' ? { ...ctx, monotonic: clock.monotonic } : ctx);
      runs.set(plugin.type, runs.get(plugin.type) ?? 0);
      return {
        run: (signal) => {
          runs.set(plugin.type, (runs.get(plugin.type) ?? 0) + 1);
          return probe.run(signal);
        },
        ...(probe.close ? { close: () => probe.close() } : {}),
      };
    },
  }));
  return { plugins: wrapped, runs };
}


/**
 * The history store flushes on a real-time timer (HISTORY_FLUSH_MS, 5 min). An accelerated day takes seconds, so that timer would
 * fire a handful of times instead of ~2,880: this re-creates it on the virtual clock (the store's own timer is
 * disabled by passing NO_REAL_TIME_FLUSH_MS as historyFlushMs). `busy()` covers a flush in progress.
 */
export function flushHistoryOnVirtualTime(agent, clock, everyMs = HISTORY_FLUSH_MS) {
  let flushing = false;
  const tick = () => {
    clock.timers.setTimeout(tick, everyMs);
    if (flushing) return;
    flushing = true;
    void agent.history.flush().finally(() => (flushing = false));
  };
  clock.timers.setTimeout(tick, everyMs);
  return { busy: () => flushing };
}

/** Disables the history store's real-time flush timer; flushHistoryOnVirtualTime takes over. */
export const NO_REAL_TIME_FLUSH_MS = 2 ** 31 - 1;
