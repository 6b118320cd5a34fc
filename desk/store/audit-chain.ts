import { GENESIS, parseLine, sha256, type AuditRecord } from '../../agent/assist/audit/record.js';
import type { AuditChainBreak, AuditChainMark } from './assist-types.js';

/**
 * How one audit line the agent sent relates to what the desk holds of its chain. Pure, so the rules can be tested
 * without a database:
 * - a line whose own hash is wrong (or that is no sealed record at all) is refused: it is not stored;
 * - a line identical to one stored is a repeated delivery (at least once): ignored;
 * - otherwise it is stored, and it continues the chain when its seq is one more than the last stored record's and
 *   its prev is the hash of that record's line; a seq further on is a gap, anything else a fork. Both are breaks the
 *   engineers are shown; the record is kept all the same (the desk never drops what the agent recorded).
 */

/** The last record the desk stored for an agent (seq 0 and the genesis value before the first). */
export interface ChainHead {
  seq: number;
  hash: string;
}

export const EMPTY_HEAD: ChainHead = { seq: 0, hash: GENESIS };

export type LineVerdict =
  | { verdict: 'store'; record: AuditRecord; hash: string; chain: AuditChainMark; problem?: AuditChainBreak }
  | { verdict: 'duplicate'; seq: number }
  | { verdict: 'refuse'; seq: number | null; problem: AuditChainBreak };

/**
 * `storedWithSeq` gives the lines stored under a seq (several once a fork was kept). The caller stores a 'store'
 * verdict and makes it the new head.
 */
export function judgeLine(line: string, head: ChainHead, storedWithSeq: (seq: number) => string[]): LineVerdict {
  const parsed = parseLine(line);
  if (!parsed.ok) return { verdict: 'refuse', seq: null, problem: { seq: null, kind: 'malformed', message: `a line that is not an audit record (${parsed.why}); refused` } };
  const r = parsed.record;
  if (!parsed.hashMatches) {
    return { verdict: 'refuse', seq: r.seq, problem: { seq: r.seq, kind: 'bad-hash', message: `seq ${r.seq}: its content does not match its hash (edited after it was sealed); refused, not stored` } };
  }
  const hash = sha256(line);
  const same = storedWithSeq(r.seq);
  if (same.includes(line)) return { verdict: 'duplicate', seq: r.seq };
  const fork = (message: string): LineVerdict => ({ verdict: 'store', record: r, hash, chain: 'fork', problem: { seq: r.seq, kind: 'fork', message } });
  if (same.length) return fork(`seq ${r.seq} is stored already with a different line: the agent's log was rewritten (kept both)`);
  if (r.seq <= head.seq) return fork(`seq ${r.seq} arrived after seq ${head.seq}: the chain went backwards (kept)`);
  if (r.seq > head.seq + 1) {
    const missing = r.seq - head.seq - 1;
    return {
      verdict: 'store',
      record: r,
      hash,
      chain: 'gap',
      problem: { seq: r.seq, kind: 'gap', message: `seq jumps from ${head.seq} to ${r.seq}: ${missing} record${missing > 1 ? 's' : ''} missing at the desk` },
    };
  }
  if (r.prev !== head.hash) {
    return fork(head.seq ? `seq ${r.seq} does not follow the stored seq ${head.seq} (its prev is not that line's hash): the chain forks` : `seq 1's prev is not the genesis value: the chain forks`);
  }
  return { verdict: 'store', record: r, hash, chain: 'ok' };
}
