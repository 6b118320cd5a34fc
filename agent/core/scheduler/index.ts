export { Scheduler } from './scheduler.js';
export type { ScheduledCheck, SchedulerOptions, SchedulerLogger, RunInfo, RunTrigger, RunOutcome } from './types.js';
export { realTimers, type Timers } from './timers.js';
export type { ExecOutcome, ProbeExecutor } from '../checks/executor.js';
