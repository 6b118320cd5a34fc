import type { CheckPlugin, ProbeContext } from '../checks/plugin.js';
import type { ProbeResult } from '../checks/result.js';
import type { Timers } from './timers.js';

/** One configured check as the scheduler runs it. */
export interface ScheduledCheck {
  id: string;
  plugin: CheckPlugin;
  /** Validated, defaults filled. May contain Secret objects. */
  config: unknown;
  intervalSeconds: number;
  timeoutSeconds: number;
  /** Spread of each interval, ± this percentage (default 10). */
  jitterPercent?: number;
  /** Run in a supervised child process (see agent/core/isolation). */
  isolated: boolean;
}

export type RunTrigger = 'startup' | 'schedule' | 'manual';

/** 'ok' means the probe returned its results (which may themselves be failures). */
export type RunOutcome = 'ok' | 'timeout' | 'crashed' | 'probe_error' | 'busy';

export interface RunInfo {
  trigger: RunTrigger;
  /** ISO-8601. */
  startedAt: string;
  durationMs: number;
  outcome: RunOutcome;
}

/** The subset of a pino logger the scheduler uses. */
export interface SchedulerLogger {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface SchedulerOptions {
  checks: ScheduledCheck[];
  timers?: Timers;
  /** Uniform in [0, 1); injectable for deterministic tests. */
  random?: () => number;
  /** Called once per finished run, in order per check; awaited before the next run of that check can start. */
  onResults: (checkId: string, results: ProbeResult[], run: RunInfo) => void | Promise<void>;
  /** Called once per check, when the scheduler is built. */
  contextFor(checkId: string): ProbeContext;
  logger?: SchedulerLogger;
}
