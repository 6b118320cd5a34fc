interface Held {
  seq: number;
  events: number;
  /** When its acknowledgement may go (clock ms). */
  due: number;
}

/**
 * One connection's acknowledgements, released no earlier than the rate limit allows: a committed batch is
 * acknowledged at its due time (at once for an agent within its burst). An agent that keeps to its window of events
 * in flight is thereby held to the rate without anything being refused. Counts the events in flight (received,
 * not acknowledged) so the session can tell an agent that ignores the window.
 */
export class AckPacer {
  private readonly held: Held[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlightEvents = 0;

  constructor(
    private readonly send: (upToSeq: number) => void,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  get inFlight(): number {
    return this.inFlightEvents;
  }

  /** A batch arrived (before it is committed). */
  received(events: number): void {
    this.inFlightEvents += events;
  }

  /** The batch up to seq is committed; its acknowledgement may go at `due` (dues never decrease). */
  committed(seq: number, events: number, due: number): void {
    this.held.push({ seq, events, due });
    this.flush();
  }

  /** Acknowledges what is due, or with `all` everything committed (the connection is about to close). */
  flush(all = false): void {
    const now = this.clock();
    let upTo = 0;
    while (this.held.length && (all || this.held[0]!.due <= now)) {
      const h = this.held.shift()!;
      upTo = h.seq;
      this.inFlightEvents -= h.events;
    }
    if (upTo) this.send(upTo);
    clearTimeout(this.timer);
    this.timer = undefined;
    const next = this.held[0];
    if (next) {
      this.timer = setTimeout(() => this.flush(), Math.max(1, Math.ceil(next.due - now)));
      this.timer.unref();
    }
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
