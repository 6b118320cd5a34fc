import type { Timers } from '../../agent/core/scheduler/timers.js';

/** Types of virtual-clock.mjs, so the TypeScript benches stay strict. */
export declare class VirtualClock {
  constructor(startMs?: number);
  readonly timers: Timers;
  readonly date: () => Date;
  readonly monotonic: () => number;
  get nowMs(): number;
  get pending(): number;
  nextDueMs(): number | undefined;
  fireNext(): boolean;
  advance(untilMs: number, opts?: { busy?: () => boolean; stuckAfterMs?: number }): Promise<{ fired: number; forced: number }>;
}

export declare function settle(busy: () => boolean, stuckAfterMs?: number): Promise<boolean>;
