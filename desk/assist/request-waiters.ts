/**
 * Long polls on requests: a caller waits until the request changes or its time is up, so a CLI waiting for the
 * operator's consent asks once every few tens of seconds instead of hammering the API. In memory; a wait that ends
 * (change, timeout, the client gone, the desk stopping) removes itself, so nothing accumulates.
 */
export class RequestWaiters {
  private readonly waiting = new Map<string, Set<() => void>>();

  /** Resolves true when `id` changes within `ms`, false when the time is up or `cancelled` fires first. */
  wait(id: string, ms: number, cancelled?: (cancel: () => void) => void): Promise<boolean> {
    return new Promise((resolve) => {
      let set = this.waiting.get(id);
      if (!set) this.waiting.set(id, (set = new Set()));
      const done = (changed: boolean) => {
        clearTimeout(timer);
        set.delete(wake);
        if (!set.size && this.waiting.get(id) === set) this.waiting.delete(id);
        resolve(changed);
      };
      const wake = () => done(true);
      const timer = setTimeout(() => done(false), ms);
      timer.unref();
      set.add(wake);
      cancelled?.(() => done(false));
    });
  }

  /** `id` changed: every wait on it returns. */
  wake(id: string): void {
    for (const w of [...(this.waiting.get(id) ?? [])]) w();
  }

  /** The desk stops: every wait returns now. */
  wakeAll(): void {
    for (const id of [...this.waiting.keys()]) this.wake(id);
  }

  get size(): number {
    let n = 0;
    for (const s of this.waiting.values()) n += s.size;
    return n;
  }
}
