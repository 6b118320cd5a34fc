import { createHash } from 'node:crypto';

/** One audit line: the chain fields, the kind, and the kind's own fields. */
export interface AuditRecord {
  seq: number;
  at: string;
  kind: string;
  /** sha256 (hex) of the previous record's whole line; GENESIS for the first record. */
  prev: string;
  /** sha256 (hex) of this line's text without its `hash` property. */
  hash: string;
  [field: string]: unknown;
}

export type AuditFields = Record<string, string | number | boolean | null | string[]>;

/** The `prev` of the first record. */
export const GENESIS = '0'.repeat(64);

/** Names the chain owns; a kind's fields cannot use them. */
export const RESERVED_FIELDS: ReadonlySet<string> = new Set(['seq', 'at', 'kind', 'prev', 'hash']);

export const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

const SEAL = /,"hash":"([0-9a-f]{64})"\}$/;

/**
 * The line written for a record: JSON in a fixed order (seq, at, kind, the fields, prev), then `hash` appended as
 * the last property. The hash covers the exact text before it, so verifying needs no canonical re-serialization.
 */
export function sealRecord(seq: number, at: string, kind: string, fields: AuditFields, prev: string): { record: AuditRecord; line: string } {
  const body = { seq, at, kind, ...fields, prev };
  const unsealed = JSON.stringify(body);
  const hash = sha256(unsealed);
  return { record: { ...body, hash } as AuditRecord, line: `${unsealed.slice(0, -1)},"hash":"${hash}"}` };
}

export type ParsedLine = { ok: true; record: AuditRecord; hashMatches: boolean } | { ok: false; why: string };

/** Parses one line and checks its own hash (not yet its place in the chain). */
export function parseLine(line: string): ParsedLine {
  const seal = SEAL.exec(line);
  if (!seal) return { ok: false, why: 'not a sealed audit record (no trailing "hash")' };
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, why: 'not JSON' };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { ok: false, why: 'not a JSON object' };
  const r = value as AuditRecord;
  if (!Number.isSafeInteger(r.seq) || typeof r.at !== 'string' || typeof r.kind !== 'string' || typeof r.prev !== 'string') {
    return { ok: false, why: 'missing seq, at, kind or prev' };
  }
  const unsealed = `${line.slice(0, seal.index)}}`;
  return { ok: true, record: r, hashMatches: sha256(unsealed) === seal[1] && r.hash === seal[1] };
}
