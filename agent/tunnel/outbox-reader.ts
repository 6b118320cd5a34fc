import { Ajv, type ValidateFunction } from 'ajv';
import type { Fault, FaultTransition } from '../core/faults/types.js';
import { transitionBytes } from '../core/store/outbox.js';
import { FaultSchema, TransitionSchema } from './protocol/fault-schema.js';
import { compareText } from '../core/text.js';

/** Index of the first transition with seq > `after` in an outbox ordered by seq (binary search). */
export function firstAfter(outbox: readonly FaultTransition[], after: number): number {
  let lo = 0;
  let hi = outbox.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (outbox[mid]!.seq <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface BatchLimits {
  events: number;
  bytes: number;
}

/**
 * The next batch to send: transitions after `after`, oldest first, none beyond `durableSeq` (a seq above it exists
 * only in memory and could be handed out again after a crash), within the count and byte limits (one transition is
 * always allowed, whatever its size).
 */
export function nextBatch(outbox: readonly FaultTransition[], after: number, durableSeq: number, limits: BatchLimits): FaultTransition[] {
  const out: FaultTransition[] = [];
  let bytes = 0;
  for (let i = firstAfter(outbox, after); i < outbox.length && out.length < limits.events; i++) {
    const t = outbox[i]!;
    if (t.seq > durableSeq) break;
    const size = transitionBytes(t);
    if (out.length && bytes + size > limits.bytes) break;
    out.push(t);
    bytes += size;
  }
  return out;
}

let compiled: { transition: ValidateFunction; fault: ValidateFunction } | undefined;
/** Compiled on the first transition sent, not at import (memory on a till PC). */
function validate(): { transition: ValidateFunction; fault: ValidateFunction } {
  if (!compiled) {
    const ajv = new Ajv({ strict: false });
    compiled = { transition: ajv.compile(TransitionSchema), fault: ajv.compile(FaultSchema) };
  }
  return compiled;
}
const checked = new WeakMap<object, unknown>();

/**
 * The transition as it may go on the wire. The desk rejects a frame that breaks the schema (and would again on
 * every retry), so a transition that a plugin made too large is trimmed here rather than blocking the outbox.
 */
export function wireTransition(t: FaultTransition): FaultTransition {
  const cached = checked.get(t) as FaultTransition | undefined;
  if (cached) return cached;
  const out = validate().transition(t as unknown) ? t : { ...t, fault: trimFault(t.fault) };
  checked.set(t, out);
  return out;
}

/** The fault as it may go on the wire (snapshot, heartbeat): see wireTransition. */
export function wireFault(f: Fault): Fault {
  return validate().fault(f as unknown) ? f : trimFault(f);
}

/** Long texts cut, surplus evidence and labels dropped, with a note in the evidence. */
function trimFault(f: Fault): Fault {
  const cut = (s: unknown, n: number) => String(s ?? '').slice(0, n);
  const text = (x: { zh?: unknown; en?: unknown } | undefined) => ({ zh: cut(x?.zh, 4096), en: cut(x?.en, 4096) });
  const evidence: Record<string, string | number | boolean | null> = {};
  for (const [k, v] of Object.entries(f.evidence ?? {}).slice(0, 120)) {
    evidence[k.slice(0, 128)] = typeof v === 'string' ? v.slice(0, 4096) : typeof v === 'number' || typeof v === 'boolean' || v === null ? v : String(v);
  }
  evidence.trimmedForDesk = true;
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(f.labels ?? {}).slice(0, 64)) labels[k.slice(0, 128)] = cut(v, 1024);
  return {
    ...f,
    title: text(f.title),
    detail: text(f.detail),
    subject: cut(f.subject, 1024),
    checkId: cut(f.checkId, 128) || 'unknown',
    labels,
    evidence,
    inhibitedBy: (f.inhibitedBy ?? []).slice(0, 256).map((k) => cut(k, 256)),
  };
}

const RANK = { critical: 3, major: 2, minor: 1 } as const;

/**
 * The faults for a snapshot or heartbeat, most severe first, cut to fit one frame: a frame the desk refuses would be
 * refused again on every reconnect. `complete` says whether everything fitted.
 */
export function fitFaults(faults: Fault[], maxItems: number, maxBytes: number): { faults: Fault[]; complete: boolean } {
  const sorted = [...faults].sort((a, b) => RANK[b.severity] - RANK[a.severity] || compareText(a.firstSeen, b.firstSeen));
  const out: Fault[] = [];
  let bytes = 0;
  for (const f of sorted) {
    const wire = wireFault(f);
    const size = Buffer.byteLength(JSON.stringify(wire));
    if (out.length >= maxItems || bytes + size > maxBytes) return { faults: out, complete: false };
    out.push(wire);
    bytes += size;
  }
  return { faults: out, complete: true };
}
