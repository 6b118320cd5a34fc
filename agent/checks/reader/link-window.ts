/** Exchanges and failed exchanges over a sliding time window: the READER_LINK_ERRORS rate. */
export class LinkWindow {
  /** [time, failed] pairs, oldest first. */
  private readonly events: Array<[number, boolean]> = [];
  private head = 0;

  constructor(
    private readonly windowMs: number,
    /** Bound on memory for a chatty link; beyond it the oldest events go first. */
    private readonly maxEvents = 10_000,
  ) {}

  add(at: number, failed: boolean): void {
    this.events.push([at, failed]);
    if (this.events.length - this.head > this.maxEvents) this.head++;
    this.compact();
  }

  summary(now: number): { exchanges: number; errors: number; rate: number } {
    const from = now - this.windowMs;
    while (this.head < this.events.length && this.events[this.head]![0] < from) this.head++;
    this.compact();
    let errors = 0;
    for (let i = this.head; i < this.events.length; i++) if (this.events[i]![1]) errors++;
    const exchanges = this.events.length - this.head;
    return { exchanges, errors, rate: exchanges === 0 ? 0 : errors / exchanges };
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.events.length) {
      this.events.splice(0, this.head);
      this.head = 0;
    }
  }
}
