import { readFile } from 'node:fs/promises';
import { isAuditKind } from './kinds.js';
import { GENESIS, parseLine, sha256 } from './record.js';

export type AuditProblemKind = 'edited' | 'inserted' | 'removed' | 'truncated' | 'malformed';

export interface AuditProblem {
  /** 1-based line of the file where the chain first breaks. */
  line: number;
  kind: AuditProblemKind;
  message: string;
}

export interface AuditVerdict {
  intact: boolean;
  records: number;
  /** The last good record's seq and line hash (what a copy elsewhere can be compared with). */
  lastSeq: number;
  headHash: string;
  problem?: AuditProblem;
}

/**
 * Walks the chain and reports the first break: a record whose text no longer matches its hash (edited), one that
 * does not follow its predecessor (inserted: a seq again; removed: a seq skipped, or a first record not seq 1), or
 * a last line cut short (truncated). What the file alone cannot show: records cut off at the end as whole lines,
 * or the whole tail rewritten and re-hashed — the desk's copy of the chain is there for that.
 */
export async function verifyAudit(file: string): Promise<AuditVerdict> {
  return verifyAuditText(await readFile(file, 'utf8'));
}

export function verifyAuditText(text: string): AuditVerdict {
  const lines = text.split('\n');
  const torn = lines.at(-1) !== '';
  if (!torn) lines.pop();
  let prevHash = GENESIS;
  let prevPrev = GENESIS;
  let lastSeq = 0;
  let records = 0;
  const fail = (line: number, kind: AuditProblemKind, message: string): AuditVerdict => ({ intact: false, records, lastSeq, headHash: prevHash, problem: { line, kind, message } });
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    const line = lines[i]!;
    const last = i === lines.length - 1;
    const parsed = parseLine(line);
    if (!parsed.ok) {
      if (last && torn) return fail(n, 'truncated', `line ${n} is cut short (${Buffer.byteLength(line)} bytes without an end of line): the last record is incomplete`);
      return fail(n, 'malformed', `line ${n}: ${parsed.why}`);
    }
    const r = parsed.record;
    if (!parsed.hashMatches) return fail(n, 'edited', `line ${n} (seq ${r.seq}): its content does not match its hash — the record was edited`);
    if (!isAuditKind(r.kind)) return fail(n, 'edited', `line ${n} (seq ${r.seq}): unknown kind "${r.kind}"`);
    const expected = lastSeq + 1;
    if (r.seq !== expected || r.prev !== prevHash) {
      // A forged line that the next line skips over: the next one chains straight to the record before it.
      const next = !last ? parseLine(lines[i + 1]!) : undefined;
      if (next?.ok && next.hashMatches && next.record.seq === expected && next.record.prev === prevHash) {
        return fail(n, 'inserted', `line ${n} (seq ${r.seq}) was inserted: line ${n + 1} follows the record before it`);
      }
    }
    if (r.seq > expected) {
      const missing = r.seq - expected;
      return fail(n, 'removed', records ? `before line ${n}: seq jumps from ${lastSeq} to ${r.seq} — ${missing} record${missing > 1 ? 's' : ''} removed` : `line ${n}: the log starts at seq ${r.seq}, not 1 — the first ${missing} record${missing > 1 ? 's' : ''} removed`);
    }
    if (r.seq < expected) {
      return fail(n - 1, 'inserted', `line ${n - 1} was inserted: line ${n} has seq ${r.seq} again${r.prev === prevPrev ? ' and chains to the record before line ' + (n - 1) : ''}`);
    }
    if (r.prev !== prevHash) {
      if (r.prev === prevPrev && records) return fail(n - 1, 'inserted', `line ${n - 1} was inserted: line ${n} chains to the record before it`);
      if (!records) return fail(n, 'edited', `line ${n} (seq ${r.seq}): the first record's prev is not the genesis value`);
      return fail(n - 1, 'edited', `line ${n - 1} (seq ${lastSeq}) was changed and re-hashed: line ${n}'s prev does not match it`);
    }
    prevPrev = prevHash;
    prevHash = sha256(line);
    lastSeq = r.seq;
    records++;
    if (last && torn) return fail(n, 'truncated', `line ${n} has no end of line: the log was cut while it was written`);
  }
  return { intact: true, records, lastSeq, headHash: prevHash };
}
