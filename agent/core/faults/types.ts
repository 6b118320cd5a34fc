import type { Severity } from '../severity.js';
import type { Text } from '../text.js';
import type { Evidence } from '../checks/result.js';

/** One entry of the fault catalogue: the hotline's runbook for a fault code. */
export interface FaultDefinition {
  /** UPPER_SNAKE_CASE, stable: desks and reports key on it. */
  code: string;
  /** Default grade; rules may grade an occurrence differently (e.g. by days left). */
  severity: Severity;
  title: Text;
  causes: Text[];
  /** What the cashier or the site's IT person can do. */
  operator: Text;
  /** What the service engineer should do. */
  engineer: Text;
}

/** What a check's fault rules say about one failed result. */
export interface FaultSignal {
  code: string;
  severity: Severity;
  /** Occurrence-specific detail; defaults to the result's message. */
  detail?: Text;
}

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
 * Alertmanager-style inhibition: an active fault whose code is in `source` mutes active faults whose code is in
 * `target` when every label named in `equal` has the same value on both ('subject' and 'checkId' count as labels).
 */
export interface InhibitRule {
  source: string[];
  target: string[];
  equal: string[];
}
