import type { Probe, ProbeContext } from '../../core/checks/plugin.js';

/**
 * A probe whose code loads at its first run. Every plugin is imported at start-up (config, docs, catalogue), but an
 * agent needs the probe code only of the checks it runs, and only in the process that runs them: an isolated
 * check's code then loads in its child alone. Measured by bench/agent-memory: about 2 MB of RSS for a terminal.
 * `check` runs synchronously first, so a bad config still throws from createProbe, as a probe built at once would.
 */
export function lazyProbe<C>(
  load: () => Promise<(config: C, ctx: ProbeContext) => Probe>,
  check?: (config: C) => void,
): (config: C, ctx: ProbeContext) => Probe {
  return (config, ctx) => {
    check?.(config);
    let real: Promise<Probe> | undefined;
    const probe = () => (real ??= load().then((create) => create(config, ctx)));
    return {
      run: async (signal) => (await probe()).run(signal),
      close: async () => {
        if (real) await (await real).close?.();
      },
    };
  };
}
