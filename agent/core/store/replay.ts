import type { FaultTransition } from '../faults/types.js';
import type { JournalRecord } from './journal/record.js';
import type { AgentState } from './types.js';

/**
 * Folds the journal's records into the checkpoint's state: the outbox is every transition not dropped and not
 * acknowledged, and transitions newer than the checkpoint (`base.seq`) are applied to its faults, so what was
 * reported durable after the last checkpoint survives a crash. Records may repeat (a rewrite crashed before the old
 * segments were deleted); the same seq is the same transition.
 */
export function replayJournal(base: AgentState, records: readonly JournalRecord[]): AgentState {
  const checkpointSeq = base.seq;
  const outbox = new Map<number, FaultTransition>(base.outbox.map((t) => [t.seq, t]));
  const newer = new Map<number, FaultTransition>();
  let seq = base.seq;
  let acked = base.ackedSeq;
  for (const r of records) {
    switch (r.kind) {
      case 'transition': {
        const t = r.transition;
        outbox.set(t.seq, t);
        if (t.seq > checkpointSeq) newer.set(t.seq, t);
        seq = Math.max(seq, t.seq);
        break;
      }
      case 'dropped':
        for (const s of r.seqs) outbox.delete(s);
        break;
      case 'acked':
        acked = Math.max(acked, r.upTo);
        break;
      case 'seqFloor':
        seq = Math.max(seq, r.seq);
        break;
    }
  }
  const faults = { ...base.faults };
  for (const t of [...newer.values()].sort((a, b) => a.seq - b.seq)) {
    // A copy: the engine changes active faults in place, the outbox's transitions must stay as they were.
    if (t.kind === 'resolved') delete faults[t.fault.key];
    else faults[t.fault.key] = structuredClone(t.fault);
  }
  const pending = [...outbox.values()].filter((t) => t.seq > acked).sort((a, b) => a.seq - b.seq);
  return { ...base, seq, ackedSeq: Math.min(acked, seq), faults, outbox: pending };
}
