import type { Severity } from '../severity.js';
import type { Text } from '../text.js';
import type { Evidence } from '../checks/result.js';

// The contracts a check plugin writes against live with the plugin contract (agent/core/checks); re-exported here
// for the fault side, so the dependency runs one way: faults -> checks.
export type { FaultDefinition, FaultSignal, InhibitRule } from '../checks/fault-rules.js';

export type FaultState = 'open' | 'acknowledged' | 'resolved';

export interface Fault {
  /** New for each occurrence. */
  id: string;
  /** Stable: hash(agent id, check id, subject, code). */
  key: string;
  code: string;
  severity: Severity;
  title: Text;
  detail: Text;
  checkId: string;
  subject: string;
  labels: Record<string, string>;
  evidence: Evidence;
  /** Original detection time of this occurrence (the first failure of the streak that opened it). */
  firstSeen: string;
  lastSeen: string;
  /** Failing results observed during this occurrence (deduplicated into this one fault). */
  occurrences: number;
  state: FaultState;
  acknowledgedBy?: string;
  acknowledgedAt?: string;
  /** The acknowledging engineer's note (plain text, shown escaped), when they wrote one. */
  acknowledgedNote?: string;
  resolvedAt?: string;
  /** Set when this key re-opened soon after resolving: it now needs more successes to resolve. */
  flapping?: boolean;
  /** Keys of the active faults that mute this one (Alertmanager inhibition); empty when not muted. */
  inhibitedBy: string[];
}

export type TransitionKind = 'opened' | 'updated' | 'acknowledged' | 'resolved';

/** A change of a fault, as it is stored in the outbox and sent to the desk. */
export interface FaultTransition {
  /** Per-agent, strictly increasing. Assigned by the store when the event is appended. */
  seq: number;
  kind: TransitionKind;
  /** When the transition happened. */
  at: string;
  /** When this occurrence was first detected (survives buffering). */
  detectedAt: string;
  /** What changed, for 'updated': e.g. ['severity'] or ['inhibitedBy']. */
  changed?: string[];
  fault: Fault;
}


/**
 * The active faults (open or acknowledged) by fault key. The store owns them and persists them; the engine changes
 * them only through this. Fields of a fault got from here may be updated in place (last seen, occurrences, evidence):
 * the store writes them with its next checkpoint, while every transition is durable at once.
 */
export interface ActiveFaults {
  get(key: string): Fault | undefined;
  put(fault: Fault): void;
  remove(key: string): void;
  list(): Fault[];
}

/** ActiveFaults over a plain object: the store's table, and the engine's in tests and benches. */
export function faultTable(byKey: Record<string, Fault> = {}): ActiveFaults {
  return {
    get: (key) => byKey[key],
    put: (fault) => void (byKey[fault.key] = fault),
    remove: (key) => void delete byKey[key],
    list: () => Object.values(byKey),
  };
}
