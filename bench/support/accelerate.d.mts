import type { CheckPlugin } from '../../agent/core/checks/plugin.js';

/** Types of accelerate.mjs. */
export declare function instrumentPlugins(
  plugins: CheckPlugin[],
  clock: { monotonic: () => number },
): { plugins: CheckPlugin[]; runs: Map<string, number> };

export declare function flushHistoryOnVirtualTime(
  agent: { history: { flush(): Promise<boolean> } },
  clock: { timers: { setTimeout(fn: () => void, ms: number): unknown } },
  everyMs?: number,
): { busy: () => boolean };

export declare const NO_REAL_TIME_FLUSH_MS: number;
