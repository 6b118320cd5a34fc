import type { Fault } from '../../agent/core/faults/types.js';
import type { FaultState } from './types.js';

/**
 * How one piece of news about a fault occurrence (an event, a snapshot entry, a re-asserted critical fault) changes
 * the desk's row for it. Pure, so the rules can be tested without a database:
 * - state only moves forward (open → acknowledged → resolved): news arriving late cannot reopen an occurrence;
 * - the fault's body (grade, detail, evidence) follows the highest seq seen, whatever the arrival order;
 * - detection is the earliest time reported, receipt the first time the desk heard of it, acknowledgement the first
 *   one known (the desk's own engineer or one the agent reports).
 */

export interface StoredFault {
  state: FaultState;
  severity: string;
  max_severity: string;
  body: string;
  body_seq: number;
  detected_at: string;
  received_at: string;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  resolved_at: string | null;
  resolved_inferred: number;
}

export type NewsKind = 'opened' | 'updated' | 'acknowledged' | 'resolved' | 'snapshot' | 'reassert';

export interface News {
  fault: Fault;
  kind: NewsKind;
  /** The event's seq, the snapshot's asOfSeq, or 0 for a re-assertion. */
  seq: number;
  /** When the agent says this happened (the event's `at`). */
  at: string;
  receivedAt: string;
  /** The agent's last snapshot covered events up to here (agents.state_seq), and was taken at stateAt. */
  stateSeq: number;
  stateAt: string | null;
}

const RANK: Record<FaultState, number> = { open: 0, acknowledged: 1, resolved: 2 };
const SEVERITY_RANK: Record<string, number> = { minor: 1, major: 2, critical: 3 };

export function iso(t: string | undefined | null): string | null {
  if (!t) return null;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? t : new Date(ms).toISOString();
}

const seconds = (from: string, to: string | null) => (to === null ? null : Math.round((Date.parse(to) - Date.parse(from)) / 100) / 10);

export function mergeFault(row: StoredFault | undefined, n: News): StoredFault & { receipt_seconds: number; response_seconds: number | null; resolve_seconds: number | null } {
  const f = n.fault;
  const incoming: FaultState = n.kind === 'resolved' ? 'resolved' : f.state;
  const detected = iso(f.firstSeen)!;
  let next: StoredFault;
  if (!row) {
    next = {
      state: incoming,
      severity: f.severity,
      max_severity: f.severity,
      body: JSON.stringify(f),
      body_seq: n.seq,
      detected_at: detected,
      received_at: n.receivedAt,
      acknowledged_at: iso(f.acknowledgedAt),
      acknowledged_by: f.acknowledgedBy ?? null,
      resolved_at: n.kind === 'resolved' ? iso(f.resolvedAt ?? n.at) : null,
      resolved_inferred: 0,
    };
    // An event older than the agent's last snapshot, for an occurrence that snapshot did not contain: it had been
    // resolved by the time of the snapshot (its 'resolved' event may have been evicted from the agent's outbox).
    const fromEvent = n.kind !== 'snapshot' && n.kind !== 'reassert';
    if (fromEvent && n.seq <= n.stateSeq && incoming !== 'resolved') {
      next.state = 'resolved';
      next.resolved_inferred = 1;
      next.resolved_at = n.stateAt;
    }
  } else {
    const newer = n.seq >= row.body_seq;
    next = {
      state: RANK[incoming] > RANK[row.state] ? incoming : row.state,
      severity: newer ? f.severity : row.severity,
      max_severity: (SEVERITY_RANK[f.severity] ?? 0) > (SEVERITY_RANK[row.max_severity] ?? 0) ? f.severity : row.max_severity,
      body: newer ? JSON.stringify(f) : row.body,
      body_seq: Math.max(n.seq, row.body_seq),
      detected_at: detected < row.detected_at ? detected : row.detected_at,
      received_at: row.received_at,
      acknowledged_at: row.acknowledged_at ?? iso(f.acknowledgedAt),
      acknowledged_by: row.acknowledged_by ?? f.acknowledgedBy ?? null,
      resolved_at: row.resolved_at,
      resolved_inferred: row.resolved_inferred,
    };
    if (n.kind === 'resolved' && (row.resolved_at === null || row.resolved_inferred)) {
      next.resolved_at = iso(f.resolvedAt ?? n.at);
      next.resolved_inferred = 0;
    }
  }
  return {
    ...next,
    receipt_seconds: Math.max(0, seconds(next.detected_at, next.received_at)!),
    response_seconds: seconds(next.detected_at, next.acknowledged_at),
    resolve_seconds: seconds(next.detected_at, next.resolved_at),
  };
}
