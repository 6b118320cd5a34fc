import { crc32 } from 'node:zlib';
import type { FaultTransition } from '../../faults/types.js';
import { encodedTransition } from '../outbox.js';
import { transitionProblem } from '../state-shape.js';

/**
 * One outbox journal record on disk: `u32 LE payload length | u32 LE CRC-32 of the payload | payload`. The payload
 * is one ASCII letter naming the kind and its JSON:
 *   T{transition}   a transition appended to the outbox
 *   D[seq,…]        transitions dropped from the outbox without delivery (coalesced into a newer one, or evicted)
 *   A seq           the desk acknowledged everything up to seq
 *   S seq           seqs up to here are used: never hand them out again (an outbox may be empty while seq moved on)
 * The length comes first so a torn tail is told from a corrupt record: a length past the end of the file is a write
 * cut short, a CRC that does not match is damage.
 */
export type JournalRecord =
  | { kind: 'transition'; transition: FaultTransition }
  | { kind: 'dropped'; seqs: number[] }
  | { kind: 'acked'; upTo: number }
  | { kind: 'seqFloor'; seq: number };

export const HEADER_BYTES = 8;
/** Larger lengths are damage, not records: a transition is a few kB, the outbox's byte cap applies per event too. */
export const MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;

const T = Buffer.from('T');

export function encodeRecord(record: JournalRecord): Buffer {
  // Transitions reuse the outbox's cached encoding: the bytes counted against its cap are the bytes written.
  const payload =
    record.kind === 'transition'
      ? Buffer.concat([T, encodedTransition(record.transition)])
      : Buffer.from(record.kind === 'dropped' ? `D${JSON.stringify(record.seqs)}` : `${record.kind === 'acked' ? 'A' : 'S'}${record.kind === 'acked' ? record.upTo : record.seq}`, 'utf8');
  const frame = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  frame.writeUInt32LE(payload.length, 0);
  frame.writeUInt32LE(crc32(payload), 4);
  payload.copy(frame, HEADER_BYTES);
  return frame;
}

export type DecodeStep =
  | { ok: true; record: JournalRecord; next: number }
  /** `torn`: the file ends inside this record; `corrupt`: the bytes there are not a record. */
  | { ok: false; problem: 'torn' | 'corrupt'; why: string };

/** Decodes the record starting at `offset` of `buf`. */
export function decodeRecordAt(buf: Buffer, offset: number): DecodeStep {
  if (buf.length - offset < HEADER_BYTES) return { ok: false, problem: 'torn', why: `${buf.length - offset} bytes of an 8-byte record header` };
  const length = buf.readUInt32LE(offset);
  if (length === 0 || length > MAX_PAYLOAD_BYTES) return { ok: false, problem: 'corrupt', why: `record length ${length} is out of range` };
  const end = offset + HEADER_BYTES + length;
  if (end > buf.length) return { ok: false, problem: 'torn', why: `record of ${length} bytes, only ${buf.length - offset - HEADER_BYTES} present` };
  const payload = buf.subarray(offset + HEADER_BYTES, end);
  if (crc32(payload) !== buf.readUInt32LE(offset + 4)) return { ok: false, problem: 'corrupt', why: 'checksum mismatch' };
  const record = parsePayload(payload);
  if (typeof record === 'string') return { ok: false, problem: 'corrupt', why: record };
  return { ok: true, record, next: end };
}

function parsePayload(payload: Buffer): JournalRecord | string {
  const kind = String.fromCharCode(payload[0]!);
  let value: unknown;
  try {
    value = JSON.parse(payload.toString('utf8', 1));
  } catch (err) {
    return `record "${kind}" is not JSON (${(err as Error).message})`;
  }
  switch (kind) {
    case 'T':
    {
      const problem = transitionProblem(value);
      return problem ? `record "T": transition ${problem}` : { kind: 'transition', transition: value as FaultTransition };
    }
    case 'D':
      return Array.isArray(value) && value.every(isSeq) ? { kind: 'dropped', seqs: value } : 'record "D" does not hold a list of seqs';
    case 'A':
      return isSeq(value) ? { kind: 'acked', upTo: value } : 'record "A" does not hold a seq';
    case 'S':
      return isSeq(value) ? { kind: 'seqFloor', seq: value } : 'record "S" does not hold a seq';
    default:
      return `unknown record kind ${JSON.stringify(kind)}`;
  }
}

function isSeq(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}
