import type { Fault, FaultTransition } from '../faults/types.js';
import type { ProbeResult } from '../checks/result.js';

/** Everything the agent keeps across restarts, as the store holds it in memory. The store alone reads and writes it. */
export interface AgentState {
  /** Last sequence number assigned to a transition (0 before the first). */
  seq: number;
  /** The desk acknowledged every transition up to here. */
  ackedSeq: number;
  /** Active faults (open or acknowledged), by fault key. */
  faults: Record<string, Fault>;
  /** Transitions not yet acknowledged by the desk, oldest first (the outbox journal holds them on disk). */
  outbox: FaultTransition[];
  /** Monotonic counters: outbox evictions by class, write failures, recoveries. */
  counters: Record<string, number>;
  /** Per-check persistent state (CheckStateHandle), by check id. */
  checkState: Record<string, unknown>;
  /** Set from the first outbox eviction until the outbox drains below half of its caps, so a restart keeps it. */
  outboxOverflowing?: boolean;
}

/**
 * state.json, version 2: the checkpoint of everything but the outbox. `seq` is the last seq whose effect on the
 * faults it includes; journal transitions after it are replayed at open. Version 1 held the outbox too (migrated).
 */
export interface CheckpointFile {
  version: 2;
  seq: number;
  ackedSeq: number;
  faults: Record<string, Fault>;
  counters: Record<string, number>;
  checkState: Record<string, unknown>;
  outboxOverflowing?: boolean;
}

export interface OutboxLimits {
  maxEvents: number;
  maxBytes: number;
}

export interface HistoryLimits {
  /** Last results kept per check (ring buffer). */
  resultsPerCheck: number;
  /** Last failed results kept per check, independent of the ring buffer, so failures survive a run of successes. */
  failuresPerCheck: number;
}

export interface CheckHistory {
  recent: ProbeResult[];
  failures: ProbeResult[];
}

/** What the store reports about itself; the runtime turns it into the agent's own faults. */
export interface StoreHealth {
  /** Set when the last write failed; cleared by the next successful write. */
  writeError?: { message: string; since: string; failures: number };
  /** Set once when state.json could not be read at start-up. */
  recovered?: { reason: string; movedTo?: string; restoredFrom?: string; at: string };
  outboxDepth: number;
  outboxBytes: number;
  /** Oldest unacknowledged transition's time, if any. */
  oldestPendingAt?: string;
  /** Transitions dropped by the outbox caps, in total. */
  evicted: number;
  /** True while the outbox is over its caps or evictions happened since it last drained below half. */
  overflowing: boolean;
}
