import { SEVERITIES } from '../severity.js';
import type { FaultTransition } from '../faults/types.js';
import type { AgentState, CheckpointFile } from './types.js';

export function emptyState(): AgentState {
  return { seq: 0, ackedSeq: 0, faults: {}, outbox: [], counters: {}, checkState: {} };
}

/** What state.json holds of the state (everything but the outbox, which is in the journal). */
export function toCheckpoint(state: AgentState): CheckpointFile {
  const file: CheckpointFile = { version: 2, seq: state.seq, ackedSeq: state.ackedSeq, faults: state.faults, counters: state.counters, checkState: state.checkState };
  if (state.outboxOverflowing) file.outboxOverflowing = true;
  return file;
}

export type StateCheck =
  | {
      ok: true;
      /** 1: the old single-file format with the outbox inside; 2: the checkpoint beside the journal. */
      version: 1 | 2;
      state: AgentState;
      /** Entries dropped as malformed, one line each (counted, reported at start-up). */
      skipped: string[];
    }
  | { ok: false; problem: string };

const KINDS = new Set(['opened', 'updated', 'acknowledged', 'resolved']);

/**
 * Validates a parsed state.json of either version. A wrong top-level shape or version rejects the whole file; single malformed faults
 * or outbox entries are skipped and listed instead (one bad row must not cost the whole backlog).
 */
export function checkStateFile(value: unknown): StateCheck {
  if (!isRecord(value)) return { ok: false, problem: `the top level is ${typeName(value)}, expected an object` };
  if (value.version !== 1 && value.version !== 2) return { ok: false, problem: `version is ${JSON.stringify(value.version)}, expected 1 or 2` };
  const version = value.version;
  if (!isCount(value.seq)) return { ok: false, problem: `seq is ${JSON.stringify(value.seq)}, expected a non-negative integer` };
  for (const field of ['faults', 'counters', 'checkState'] as const) {
    if (!isRecord(value[field])) return { ok: false, problem: `${field} is ${typeName(value[field])}, expected an object` };
  }
  if (version === 1 && !Array.isArray(value.outbox)) return { ok: false, problem: `outbox is ${typeName(value.outbox)}, expected an array` };
  if (version === 2 && value.outbox !== undefined) return { ok: false, problem: 'version 2 holds no outbox (it is in the journal)' };
  if (version === 2 && !isCount(value.ackedSeq)) return { ok: false, problem: `ackedSeq is ${JSON.stringify(value.ackedSeq)}, expected a non-negative integer` };
  const rawOutbox = version === 1 ? (value.outbox as unknown[]) : [];

  const skipped: string[] = [];
  const faults: AgentState['faults'] = {};
  for (const [key, fault] of Object.entries(value.faults as Record<string, unknown>)) {
    const problem = faultProblem(fault);
    if (problem) skipped.push(`faults[${JSON.stringify(key)}]: ${problem}`);
    else faults[key] = fault as AgentState['faults'][string];
  }

  const outbox: FaultTransition[] = [];
  rawOutbox.forEach((entry: unknown, i: number) => {
    const problem = transitionProblem(entry);
    if (problem) skipped.push(`outbox[${i}]: ${problem}`);
    else outbox.push(entry as FaultTransition);
  });
  outbox.sort((a, b) => a.seq - b.seq);
  const unique = outbox.filter((t, i) => {
    const duplicate = i > 0 && outbox[i - 1]!.seq === t.seq;
    if (duplicate) skipped.push(`outbox seq ${t.seq}: duplicate`);
    return !duplicate;
  });

  const counters: Record<string, number> = {};
  for (const [name, n] of Object.entries(value.counters as Record<string, unknown>)) {
    if (typeof n === 'number' && Number.isFinite(n)) counters[name] = n;
    else skipped.push(`counters[${JSON.stringify(name)}]: not a number`);
  }

  // A seq must never be handed out twice, even if the file's own seq lags behind its outbox.
  const seq = Math.max(value.seq, unique.at(-1)?.seq ?? 0);
  const ackedSeq = version === 2 ? Math.min(value.ackedSeq as number, seq) : 0;
  const state: AgentState = { seq, ackedSeq, faults, outbox: unique, counters, checkState: value.checkState as Record<string, unknown> };
  if (value.outboxOverflowing === true) state.outboxOverflowing = true;
  return { ok: true, version, state, skipped };
}

/** What is wrong with a stored transition, or undefined when it is usable. */
export function transitionProblem(t: unknown): string | undefined {
  if (!isRecord(t)) return `is ${typeName(t)}, expected an object`;
  if (!isCount(t.seq) || t.seq === 0) return `seq is ${JSON.stringify(t.seq)}, expected a positive integer`;
  if (typeof t.kind !== 'string' || !KINDS.has(t.kind)) return `kind is ${JSON.stringify(t.kind)}`;
  if (typeof t.at !== 'string' || typeof t.detectedAt !== 'string') return 'at/detectedAt are not strings';
  const fault = faultProblem(t.fault);
  return fault ? `fault ${fault}` : undefined;
}

function faultProblem(f: unknown): string | undefined {
  if (!isRecord(f)) return `is ${typeName(f)}, expected an object`;
  if (typeof f.id !== 'string' || typeof f.key !== 'string' || typeof f.code !== 'string') return 'has no string id/key/code';
  if (!(SEVERITIES as readonly unknown[]).includes(f.severity)) return `severity is ${JSON.stringify(f.severity)}`;
  return undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}
