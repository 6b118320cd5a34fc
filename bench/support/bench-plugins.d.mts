import type { CheckPlugin } from '../../agent/core/checks/plugin.js';

/** Types of bench-plugins.mjs. */
export declare function instrumentPlugins(
  plugins: CheckPlugin[],
  clock: { monotonic: () => number },
): { plugins: CheckPlugin[]; runs: Map<string, number> };
