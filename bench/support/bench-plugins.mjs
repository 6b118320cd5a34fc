/**
 * Wraps check plugins for accelerated runs (plain JS: used by the compiled-agent child and the tsx benches alike).
 * - Counts probe runs per check type, for the report.
 * - Gives the clock check a monotonic clock on the virtual clock: with real monotonic time, every accelerated
 *   minute would look like a 60 s jump of the system clock and raise CLOCK_JUMPED all day long.
 * Everything else is the plugin's own: schema, probe, rules, faults.
 */
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
