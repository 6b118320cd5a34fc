import type { Timers } from '../timers.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Test-only. Manually advanced clock: records what the scheduler arms. */
export class ManualTimers implements Timers {
  nowMs = Date.parse('2030-01-01T00:00:00Z');
  #nextId = 1;
  pending = new Map<number, { at: number; fn: () => void }>();

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.#nextId++;
    this.pending.set(id, { at: this.nowMs + ms, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  now(): number {
    return this.nowMs;
  }

  /** Offsets from now of the armed timers, sorted. */
  armed(): number[] {
    return [...this.pending.values()].map((t) => t.at - this.nowMs).sort((a, b) => a - b);
  }

  async advance(ms: number): Promise<void> {
    const end = this.nowMs + ms;
    for (;;) {
      const next = [...this.pending.entries()].sort((a, b) => a[1].at - b[1].at)[0];
      if (!next || next[1].at > end) break;
      this.pending.delete(next[0]);
      this.nowMs = next[1].at;
      next[1].fn();
      await sleep(0);
    }
    this.nowMs = end;
  }
}
