import type { ProbeResult } from '../checks/result.js';

/** Default cap on one stored result's JSON, in UTF-8 bytes. */
export const DEFAULT_MAX_RESULT_BYTES = 4_096;
/** Long strings (evidence, labels, message) are cut to this many characters first. */
const MAX_STRING_CHARS = 256;
const TRUNCATED_KEY = '_truncated';

/**
 * A copy of the result whose JSON fits in `maxBytes`, so a probe returning huge evidence (a whole log line, a
 * certificate dump) cannot grow history.json without bound. Cuts in steps, keeping as much as fits: long strings
 * first, then the largest evidence entries, then labels and phases, then the message.
 */
export function boundResult(result: ProbeResult, maxBytes = DEFAULT_MAX_RESULT_BYTES): ProbeResult {
  const r = structuredClone(result);
  if (sizeOf(r) <= maxBytes) return r;

  for (const [k, v] of Object.entries(r.evidence)) if (typeof v === 'string') r.evidence[k] = cut(v);
  if (r.labels) for (const [k, v] of Object.entries(r.labels)) r.labels[k] = cut(v);
  r.message = { zh: cut(r.message.zh), en: cut(r.message.en) };
  r.subject = cut(r.subject);
  if (sizeOf(r) <= maxBytes) return r;

  const bySize = Object.keys(r.evidence).sort((a, b) => sizeOf(r.evidence[b]) - sizeOf(r.evidence[a]));
  let dropped = 0;
  for (const key of bySize) {
    if (sizeOf(r) <= maxBytes) break;
    delete r.evidence[key];
    r.evidence[TRUNCATED_KEY] = ++dropped;
  }
  if (sizeOf(r) <= maxBytes) return r;

  delete r.labels;
  delete r.phases;
  if (sizeOf(r) <= maxBytes) return r;
  r.message = { zh: cut(r.message.zh, 32), en: cut(r.message.en, 32) };
  return r;
}

function cut(s: string, max = MAX_STRING_CHARS): string {
  if (s.length <= max) return s;
  const chars = Array.from(s); // by code point, so no surrogate pair is split
  return chars.length <= max ? s : `${chars.slice(0, max).join('')}…[+${chars.length - max} chars]`;
}

function sizeOf(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}
