/**
 * A virtual clock for running the agent's schedule faster than real time (plain JS so the compiled-agent child,
 * which runs without tsx, can use it too). Timers wait in a min-heap by due time; `advance` fires them in order,
 * but only once the real async work started by the previous callback (probe I/O, fsynced store writes) is done,
 * so a run never looks timed out just because virtual time raced ahead of the disk.
 */

const immediate = () => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class VirtualClock {
  #now;
  #seq = 0;
  /** Binary min-heap ordered by (at, seq); cancelled entries are dropped lazily when they reach the top. */
  #heap = [];

  constructor(startMs = Date.now()) {
    this.#now = startMs;
    /** The scheduler's Timers interface on this clock. Handles are the heap entries. */
    this.timers = {
      setTimeout: (fn, ms) => this.#push({ at: this.#now + Math.max(0, Number(ms) || 0), seq: ++this.#seq, fn, cancelled: false }),
      clearTimeout: (handle) => {
        if (handle && typeof handle === 'object') handle.cancelled = true;
      },
      now: () => this.#now,
    };
    /** For the agent's and the probes' `now` option. */
    this.date = () => new Date(this.#now);
    /** A monotonic reading on the same clock (ms), for the clock check: virtual wall time never "jumps". */
    this.monotonic = () => this.#now;
  }

  get nowMs() {
    return this.#now;
  }

  /** Live timers (cancelled ones excluded). */
  get pending() {
    return this.#heap.filter((e) => !e.cancelled).length;
  }

  /** Due time of the next live timer, or undefined. */
  nextDueMs() {
    this.#dropCancelled();
    return this.#heap[0]?.at;
  }

  /** Moves the clock to the next live timer and runs it; false when none is pending. */
  fireNext() {
    this.#dropCancelled();
    const next = this.#pop();
    if (!next) return false;
    this.#now = Math.max(this.#now, next.at);
    next.fn();
    return true;
  }

  /**
   * Fires every timer due up to `untilMs`, in time order, then sets the clock to `untilMs`. Before each timer it
   * waits (in real time) while `busy()` holds; a run still busy after `stuckAfterMs` of real time is treated as
   * hung and time moves on, so its own timeout can fire as it would for real. Returns counts for the report.
   */
  async advance(untilMs, { busy = () => false, stuckAfterMs = 5000 } = {}) {
    let fired = 0;
    let forced = 0;
    for (;;) {
      if (!(await settle(busy, stuckAfterMs))) forced++;
      const at = this.nextDueMs();
      if (at === undefined || at > untilMs) break;
      this.fireNext();
      fired++;
      await immediate(); // a macrotask turn: the callback's synchronous start and its microtasks run first
    }
    this.#now = Math.max(this.#now, untilMs);
    return { fired, forced };
  }

  #push(entry) {
    const h = this.#heap;
    h.push(entry);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
    return entry;
  }

  #pop() {
    const h = this.#heap;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l], h[m])) m = l;
        if (r < h.length && before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }

  #dropCancelled() {
    while (this.#heap[0]?.cancelled) this.#pop();
  }
}

function before(a, b) {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/**
 * Waits until `busy()` is false: one macrotask turn first (most work is done by then), then 1 ms real sleeps,
 * which cost no CPU while the thread pool or the disk works. False if still busy after `stuckAfterMs`.
 */
export async function settle(busy, stuckAfterMs = 5000) {
  await immediate();
  if (!busy()) return true;
  const deadline = performance.now() + stuckAfterMs;
  while (busy()) {
    if (performance.now() > deadline) return false;
    await sleep(1);
  }
  return true;
}
