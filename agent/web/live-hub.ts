import type { ServerResponse } from 'node:http';

/**
 * Server-sent events to the open pages. Every message is the whole page state, so a slow or reconnecting page
 * only ever needs the latest one: a client whose socket is full gets the newest payload once it drains, never a
 * backlog. The state is built once per broadcast, whatever the number of pages.
 */

export interface LiveHubOptions {
  /** The current state as the SSE `data:` JSON (one line). */
  payload: () => string;
  /** Changes arriving within this window share one broadcast. */
  debounceMs: number;
  /** A broadcast at least this often while pages are open: the pages' heartbeat, and tunnel times move on. */
  periodMs: number;
  /** Bounded: each open page holds a socket and a buffer. */
  maxClients: number;
  /** Of those, at most this many for one origin (requests without Origin count as one), so one page cannot take all. */
  maxClientsPerOrigin: number;
  /** How long the browser waits before reconnecting after the stream drops. */
  retryMs: number;
}

interface Client {
  res: ServerResponse;
  origin: string;
  blocked: boolean;
  pending?: string;
}

/** Whether another stream may open, and if not, why. */
export type Admission = 'ok' | 'full' | 'origin_full';

export class LiveHub {
  private readonly clients = new Set<Client>();
  private readonly perOrigin = new Map<string, number>();
  private debounce: NodeJS.Timeout | undefined;
  private period: NodeJS.Timeout | undefined;
  private closed = false;
  /** Broadcasts so far (for tests and the benchmark). */
  broadcasts = 0;

  constructor(private readonly opts: LiveHubOptions) {}

  get size(): number {
    return this.clients.size;
  }

  get full(): boolean {
    return this.closed || this.clients.size >= this.opts.maxClients;
  }

  /** Whether a stream for `origin` (the request's Origin header, '' for none) may open now. */
  admits(origin: string): Admission {
    if (this.full) return 'full';
    return (this.perOrigin.get(origin) ?? 0) >= this.opts.maxClientsPerOrigin ? 'origin_full' : 'ok';
  }

  /** Takes over a response whose headers the caller has written; sends the current state at once. */
  attach(res: ServerResponse, origin = ''): void {
    const client: Client = { res, origin, blocked: false };
    this.clients.add(client);
    this.perOrigin.set(origin, (this.perOrigin.get(origin) ?? 0) + 1);
    res.on('close', () => {
      if (!this.clients.delete(client)) return;
      const left = (this.perOrigin.get(origin) ?? 1) - 1;
      if (left > 0) this.perOrigin.set(origin, left);
      else this.perOrigin.delete(origin);
      if (!this.clients.size) this.stopPeriod();
    });
    this.send(client, `retry: ${this.opts.retryMs}\n\n` + this.message());
    this.startPeriod();
  }

  /** Something changed: broadcast soon (debounced). */
  notify(): void {
    if (this.closed || !this.clients.size || this.debounce) return;
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      this.broadcast();
    }, this.opts.debounceMs);
  }

  broadcast(): void {
    if (this.closed || !this.clients.size) return;
    const msg = this.message();
    this.broadcasts++;
    for (const c of this.clients) this.send(c, msg);
  }

  /** Ends every stream (the server is closing: open streams would hold it open). */
  close(): void {
    this.closed = true;
    clearTimeout(this.debounce);
    this.stopPeriod();
    for (const c of this.clients) c.res.end();
    this.clients.clear();
    this.perOrigin.clear();
  }

  private message(): string {
    return `event: state\ndata: ${this.opts.payload()}\n\n`;
  }

  private send(c: Client, msg: string): void {
    if (c.blocked) {
      c.pending = msg; // only the newest state matters
      return;
    }
    if (c.res.write(msg)) return;
    c.blocked = true;
    c.res.once('drain', () => {
      c.blocked = false;
      const next = c.pending;
      c.pending = undefined;
      if (next) this.send(c, next);
    });
  }

  private startPeriod(): void {
    if (this.period) return;
    this.period = setInterval(() => this.broadcast(), this.opts.periodMs);
    this.period.unref();
  }

  private stopPeriod(): void {
    clearInterval(this.period);
    this.period = undefined;
  }
}
