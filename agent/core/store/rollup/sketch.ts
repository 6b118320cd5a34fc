/**
 * A fixed-bucket latency histogram: buckets grow by 25 % from 1 ms to ~10 min, so a day of any number of probes costs
 * at most ~60 small entries. Each bucket keeps its count and sum: a quantile is the mean of the bucket it falls in,
 * exact when the values in that bucket are equal and within one bucket's width (±12.5 %) otherwise.
 */
export interface LatencySketch {
  /** bucket index → [count, sum of values in ms]; sparse, so quiet days stay small */
  b: Record<string, [number, number]>;
  n: number;
  max: number;
}

const GROWTH = 1.25;
const LOG_GROWTH = Math.log(GROWTH);
/** Values at or below 1 ms share bucket 0; above ~10 min share the last. */
const LAST_BUCKET = 60;

export function emptySketch(): LatencySketch {
  return { b: {}, n: 0, max: 0 };
}

export function bucketOf(ms: number): number {
  if (!(ms > 1)) return 0;
  return Math.min(LAST_BUCKET, Math.ceil(Math.log(ms) / LOG_GROWTH));
}

export function addToSketch(s: LatencySketch, ms: number): void {
  if (!Number.isFinite(ms) || ms < 0) return;
  const key = String(bucketOf(ms));
  const cell = (s.b[key] ??= [0, 0]);
  cell[0] += 1;
  cell[1] = round3(cell[1] + ms);
  s.n += 1;
  if (ms > s.max) s.max = ms;
}

export function mergeSketches(into: LatencySketch, from: LatencySketch): void {
  for (const [key, [count, sum]] of Object.entries(from.b)) {
    const cell = (into.b[key] ??= [0, 0]);
    cell[0] += count;
    cell[1] = round3(cell[1] + sum);
  }
  into.n += from.n;
  into.max = Math.max(into.max, from.max);
}

/** The q-quantile (0 < q ≤ 1) by the nearest-rank rule, or undefined for an empty sketch. */
export function quantile(s: LatencySketch, q: number): number | undefined {
  if (s.n === 0) return undefined;
  const rank = Math.max(1, Math.ceil(q * s.n));
  let seen = 0;
  const keys = Object.keys(s.b).map(Number).sort((a, b) => a - b);
  for (const k of keys) {
    const [count, sum] = s.b[String(k)]!;
    seen += count;
    if (seen >= rank) return round3(Math.min(sum / count, s.max));
  }
  return s.max;
}

export function isSketch(v: unknown): v is LatencySketch {
  const s = v as Partial<LatencySketch> | null;
  return typeof s === 'object' && s !== null && typeof s.n === 'number' && typeof s.max === 'number' && typeof s.b === 'object' && s.b !== null;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
