import type { ReaderObservation } from '../observation.js';

/**
 * Follows one reader for the life of the probe (in the isolated check's child process, which lives across runs):
 * events and background probes keep its view current, so a check run only reads it — cheap enough to run every
 * second, which is what lets an unplug raise its fault within two seconds.
 */
export interface ReaderMonitor {
  /** Starts following. Throws only for what will not get better by waiting (e.g. the bridge's pty cannot be made). */
  start(): Promise<void>;
  /** The reader as it stands; with no verdict yet, waits up to `waitMs` for the observation under way. */
  observe(waitMs?: number): Promise<ReaderObservation>;
  close(): Promise<void>;
}
