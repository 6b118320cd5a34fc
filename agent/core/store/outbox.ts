import type { FaultTransition } from '../faults/types.js';
import type { OutboxLimits } from './types.js';

/**
 * The outbox rules, as pure functions over arrays ordered by seq: coalescing of 'updated' transitions, the caps by
 * count and bytes with priority-aware eviction, and cumulative ack. The StateStore applies them to its data.
 */

export interface AppendOutcome {
  outbox: FaultTransition[];
  /** Older 'updated' transitions replaced by a newer one of the same fault occurrence. */
  coalesced: FaultTransition[];
  /** Transitions dropped by the caps (possibly some of those just appended). */
  evicted: FaultTransition[];
  /** UTF-8 bytes of the new outbox (transitionBytes summed). */
  bytes: number;
}

/**
 * Eviction classes, lowest goes first: 1 'updated' of minor faults; 2 any other 'updated' and 'acknowledged';
 * 3 'opened'/'resolved' of minor; 4 'opened'/'resolved' of major; 5 'opened'/'resolved' of critical.
 */
export function evictionClass(t: FaultTransition): 1 | 2 | 3 | 4 | 5 {
  const minor = t.fault.severity === 'minor';
  if (t.kind === 'updated') return minor ? 1 : 2;
  if (t.kind === 'acknowledged') return 2;
  return minor ? 3 : t.fault.severity === 'major' ? 4 : 5;
}

const encoded = new WeakMap<FaultTransition, Buffer>();

/**
 * The transition's JSON as UTF-8, computed once: stored transitions are immutable, and re-encoding a 10,000-event
 * outbox on every commit would cost more than writing it (see bench/store.bench.ts).
 */
export function encodedTransition(t: FaultTransition): Buffer {
  let buf = encoded.get(t);
  if (buf === undefined) {
    buf = Buffer.from(JSON.stringify(t), 'utf8');
    encoded.set(t, buf);
  }
  return buf;
}

/** UTF-8 bytes of the transition's JSON: what it costs in the outbox's byte cap and in state.json. */
export function transitionBytes(t: FaultTransition): number {
  return encodedTransition(t).length;
}

export function outboxBytes(outbox: readonly FaultTransition[]): number {
  let total = 0;
  for (const t of outbox) total += transitionBytes(t);
  return total;
}

/**
 * Appends transitions (seq already assigned, increasing), coalescing and then enforcing the caps. `bytesBefore` is the
 * outbox's size when the caller keeps it; otherwise it is summed here (a walk over the whole outbox).
 */
export function appendToOutbox(outbox: readonly FaultTransition[], added: readonly FaultTransition[], limits: OutboxLimits, bytesBefore = outboxBytes(outbox)): AppendOutcome {
  const next = [...outbox];
  let bytes = bytesBefore;
  const coalesced: FaultTransition[] = [];
  for (const t of added) {
    if (t.kind === 'updated') {
      const i = lastIndexOfOccurrence(next, t.fault.id);
      // Only successive updates: an opened/acknowledged/resolved in between keeps both, so order stays meaningful.
      if (i >= 0 && next[i]!.kind === 'updated') {
        const [older] = next.splice(i, 1);
        coalesced.push(older!);
        const merged = mergeChanged(older!, t);
        next.push(merged);
        bytes += transitionBytes(merged) - transitionBytes(older!);
        continue;
      }
    }
    next.push(t);
    bytes += transitionBytes(t);
  }
  const capped = enforceCaps(next, limits, bytes);
  return { outbox: capped.outbox, coalesced, evicted: capped.evicted, bytes: capped.bytes };
}

/** Drops transitions, lowest class first and oldest first within a class, until both caps hold. */
export function enforceCaps(
  outbox: readonly FaultTransition[],
  limits: OutboxLimits,
  bytesNow = outboxBytes(outbox),
): { outbox: FaultTransition[]; evicted: FaultTransition[]; bytes: number } {
  let count = outbox.length;
  let bytes = bytesNow;
  if (count <= limits.maxEvents && bytes <= limits.maxBytes) return { outbox: [...outbox], evicted: [], bytes };
  const drop = new Set<FaultTransition>();
  for (let cls = 1; cls <= 5 && (count > limits.maxEvents || bytes > limits.maxBytes); cls++) {
    for (const t of outbox) {
      if (count <= limits.maxEvents && bytes <= limits.maxBytes) break;
      if (evictionClass(t) !== cls) continue;
      drop.add(t);
      count -= 1;
      bytes -= transitionBytes(t);
    }
  }
  return { outbox: outbox.filter((t) => !drop.has(t)), evicted: outbox.filter((t) => drop.has(t)), bytes };
}

/** Cumulative ack: everything up to and including `seq` was delivered. */
export function ackOutbox(outbox: readonly FaultTransition[], seq: number): { outbox: FaultTransition[]; removed: number } {
  const kept = outbox.filter((t) => t.seq > seq);
  return { outbox: kept, removed: outbox.length - kept.length };
}

/** True once the outbox is below half of both caps: the end of an overflow episode. */
export function isDrained(outbox: readonly FaultTransition[], limits: OutboxLimits): boolean {
  return outbox.length < limits.maxEvents / 2 && outboxBytes(outbox) < limits.maxBytes / 2;
}

/** Counter names one eviction increments: the total and one per severity and kind. */
export function evictionCounters(t: FaultTransition): string[] {
  return ['outboxEvicted', `outboxEvicted.${t.fault.severity}.${t.kind}`];
}

function lastIndexOfOccurrence(outbox: readonly FaultTransition[], faultId: string): number {
  for (let i = outbox.length - 1; i >= 0; i--) if (outbox[i]!.fault.id === faultId) return i;
  return -1;
}

/** The newer update wins, but what changed in the replaced one still changed since the desk last heard. */
function mergeChanged(older: FaultTransition, newer: FaultTransition): FaultTransition {
  if (!older.changed?.length) return newer;
  const changed = [...new Set([...older.changed, ...(newer.changed ?? [])])];
  return { ...newer, changed };
}
