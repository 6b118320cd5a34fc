import type { Severity } from '../severity.js';
import type { Text } from '../text.js';

/* What a check plugin declares about faults: its catalogue entries, what its rules return, its inhibit rules. */

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

/**
 * Alertmanager-style inhibition: an active fault whose code is in `source` mutes active faults whose code is in
 * `target` when every label named in `equal` has the same value on both ('subject' and 'checkId' count as labels).
 */
export interface InhibitRule {
  source: string[];
  target: string[];
  equal: string[];
}
