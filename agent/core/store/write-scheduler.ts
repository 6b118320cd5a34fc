import { messageOf } from './json-file.js';
import type { StoreHealth } from './types.js';

export type WriteErrorState = NonNullable<StoreHealth['writeError']>;

export interface RetryPolicy {
  /** First retry delay after a failed write. */
  initialMs: number;
  /** The delay doubles up to this. */
  maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { initialMs: 1_000, maxMs: 60_000 };

export interface WriteSchedulerOptions {
  /** Writes the current data; it must snapshot the data synchronously before its first await. */
  write: () => Promise<void>;
  /** Runs before each retry, e.g. to recreate a vanished directory. Its errors are ignored: the write reports them. */
  beforeRetry?: () => Promise<void>;
  retry?: RetryPolicy;
  now?: () => Date;
  onError?: (err: unknown) => void;
}

interface Waiter {
  gen: number;
  resolve: (durable: boolean) => void;
}

/**
 * Turns many "please persist" requests into few writes: one write at a time, and everything requested while it is
 * in flight goes into the next single write. Each request is answered true once a write that started after it has
 * succeeded, false when that write failed. After a failure it retries with doubling backoff; while it waits, requests
 * are answered false at once (the data stays in memory and the retry carries it). Never throws out of timers.
 */
export class WriteScheduler {
  private requested = 0;
  private written = 0;
  private waiters: Waiter[] = [];
  private inflight: Promise<void> | null = null;
  private startQueued = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private backoffMs: number;
  private closed = false;
  private lastError: WriteErrorState | undefined;
  private readonly retry: RetryPolicy;
  private readonly now: () => Date;

  constructor(private readonly opts: WriteSchedulerOptions) {
    this.retry = opts.retry ?? DEFAULT_RETRY;
    this.backoffMs = this.retry.initialMs;
    this.now = opts.now ?? (() => new Date());
  }

  /** Set while writes fail; cleared by the next successful write. */
  get error(): WriteErrorState | undefined {
    return this.lastError;
  }

  /** True when changes were requested that no successful write holds yet. */
  get pending(): boolean {
    return this.requested > this.written;
  }

  request(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    const gen = ++this.requested;
    if (this.retryTimer) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      this.waiters.push({ gen, resolve });
      this.queueStart();
    });
  }

  /** Stops retrying and makes one last attempt at anything pending; true when everything requested is durable. */
  async close(): Promise<boolean> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    while (this.inflight) await this.inflight;
    if (!this.pending) return true;
    if (this.lastError) await this.opts.beforeRetry?.().catch(() => undefined);
    await this.runWrite();
    return !this.pending;
  }

  private queueStart(): void {
    if (this.inflight || this.startQueued) return;
    this.startQueued = true;
    // One turn of the event loop: requests made in the same burst share the first write too.
    setImmediate(() => {
      this.startQueued = false;
      if (!this.closed && !this.retryTimer) void this.runWrite();
    });
  }

  private runWrite(): Promise<void> {
    if (this.inflight) return this.inflight;
    if (!this.pending) return Promise.resolve();
    const gen = this.requested;
    let write: Promise<void>;
    try {
      write = this.opts.write();
    } catch (err) {
      write = Promise.reject(err);
    }
    this.inflight = write.then(
      () => this.succeeded(gen),
      (err: unknown) => this.failed(err),
    );
    return this.inflight;
  }

  private succeeded(gen: number): void {
    this.inflight = null;
    this.written = Math.max(this.written, gen);
    this.lastError = undefined;
    this.backoffMs = this.retry.initialMs;
    this.settle((w) => w.gen <= gen, true);
    if (this.pending && !this.closed) void this.runWrite();
  }

  private failed(err: unknown): void {
    this.inflight = null;
    const failures = (this.lastError?.failures ?? 0) + 1;
    this.lastError = { message: messageOf(err), since: this.lastError?.since ?? this.now().toISOString(), failures };
    try {
      this.opts.onError?.(err);
    } catch {
      // A throwing observer must not break the store.
    }
    this.settle(() => true, false);
    if (!this.closed) this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.retryTimer) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.retry.maxMs);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.retryNow();
    }, delay);
    this.retryTimer.unref();
  }

  private async retryNow(): Promise<void> {
    // If the preparation fails (the directory cannot be recreated), the write fails too and says why.
    await this.opts.beforeRetry?.().catch(() => undefined);
    if (!this.closed) await this.runWrite();
  }

  private settle(match: (w: Waiter) => boolean, durable: boolean): void {
    const keep: Waiter[] = [];
    for (const w of this.waiters) {
      if (match(w)) w.resolve(durable);
      else keep.push(w);
    }
    this.waiters = keep;
  }
}
