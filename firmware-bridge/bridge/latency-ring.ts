/** The last `size` latency samples, for p50/p99 in a snapshot without keeping history forever. */
export class LatencyRing {
  private readonly samples: Float64Array;
  private next = 0;
  private filled = 0;

  constructor(size = 256) {
    this.samples = new Float64Array(size);
  }

  add(ms: number): void {
    this.samples[this.next] = ms;
    this.next = (this.next + 1) % this.samples.length;
    if (this.filled < this.samples.length) this.filled++;
  }

  summary(): { count: number; p50Ms: number | null; p99Ms: number | null; maxMs: number | null } {
    if (this.filled === 0) return { count: 0, p50Ms: null, p99Ms: null, maxMs: null };
    const sorted = Array.from(this.samples.subarray(0, this.filled)).sort((a, b) => a - b);
    const at = (p: number) => round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!);
    return { count: this.filled, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: round(sorted[sorted.length - 1]!) };
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
