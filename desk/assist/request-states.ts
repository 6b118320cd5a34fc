import type { AssistStateMessage } from '../../agent/tunnel/protocol/messages.js';
import { isLive, type AssistRequestPatch, type AssistRequestRow, type DeskAssistState } from '../store/assist-types.js';

/**
 * How an agent's assist-state changes the desk's record of a request. Pure. States only move forward
 * (requested → pending → running → one of the final ones): a late or repeated message cannot bring an ended
 * request back, and a final state is never replaced by another.
 */

const RANK: Record<DeskAssistState, number> = { requested: 0, pending: 1, running: 2, refused: 3, denied: 3, 'timed-out': 3, withdrawn: 3, ended: 3 };

export type StateOutcome =
  /** The record changes: `patch` to store. */
  | { change: AssistRequestPatch }
  /** Nothing to record (a repeat, or older news). */
  | { ignore: string }
  /** The desk holds the request as over while the agent says it is live: the desk must end it on the agent. */
  | { endOnAgent: string };

export function applyState(row: AssistRequestRow, m: AssistStateMessage, receivedAt: string): StateOutcome {
  if (row.sessionId && row.sessionId !== m.session) return { ignore: `names session ${m.session}; the request is session ${row.sessionId}` };
  const live = isLive(m.state);
  if (!isLive(row.state)) return live ? { endOnAgent: `the desk holds request ${row.id} as ${row.state} (${row.endCause ?? 'final'})` } : { ignore: `already ${row.state}` };
  if (RANK[m.state] < RANK[row.state] || m.state === row.state) return { ignore: `${m.state} after ${row.state}` };
  const patch: AssistRequestPatch = { state: m.state, stateAt: receivedAt, sessionId: m.session };
  if (m.refusal) patch.refusal = { reason: m.refusal.reason, detail: m.refusal.detail };
  if (m.approvedBy) patch.approvedBy = m.approvedBy;
  if (m.deniedBy) patch.deniedBy = m.deniedBy;
  if (m.endsAt) patch.endsAt = m.endsAt;
  if (m.state === 'running') patch.startedAt = m.at;
  if (!live) {
    patch.endedAt = m.at;
    if (m.endCause) patch.endCause = m.endCause;
    // The agent knows only that "the engineer" ended it; the desk knows which one asked.
    if (m.endedBy) patch.endedBy = m.endedBy === 'engineer' && row.endRequestedBy ? row.endRequestedBy : m.endedBy;
  }
  return { change: patch };
}
