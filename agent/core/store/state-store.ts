import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import type { FaultTransition } from '../faults/types.js';
import type { CheckStateHandle } from '../checks/plugin.js';
import { DurableFileAdapter } from './durable-file.js';
import { ackOutbox, appendToOutbox, enforceCaps, evictionCounters, isDrained, outboxBytes } from './outbox.js';
import { loadWithRecovery, type Recovered } from './recover.js';
import { serializeState } from './state-serialize.js';
import { checkAgentState, emptyState } from './state-shape.js';
import type { AgentState, OutboxLimits, StoreHealth } from './types.js';
import { WriteScheduler, type RetryPolicy } from './write-scheduler.js';

export interface StateStoreOptions {
  /** Directory of state.json (created when missing). */
  dir: string;
  outbox: OutboxLimits;
  now?: () => Date;
  /** Called on every failed write; the store keeps running from memory and retries. */
  onWriteError?: (err: unknown) => void;
  /** Backoff after a failed write; default 1 s doubling to 60 s. */
  retry?: RetryPolicy;
  /** Check-state changes wait this long so they share a write with others; default 1000 ms. */
  checkStateDelayMs?: number;
}

export const STATE_FILE = 'state.json';

/**
 * The agent's durable state: `data` in memory is authoritative, and state.json follows it through coalesced,
 * fsynced writes. Opening never throws: unreadable state is moved aside and recovered, write errors are retried.
 */
export class StateStore {
  readonly path: string;
  /** The lowdb adapter; its `writes` and `bytesWritten` counters are instrumentation for tests and benchmarks. */
  readonly adapter: DurableFileAdapter<AgentState>;
  private readonly db: Low<AgentState>;
  private readonly scheduler: WriteScheduler;
  private readonly limits: OutboxLimits;
  private recovered: Recovered | undefined;
  private checkStateTimer: NodeJS.Timeout | null = null;
  private readonly checkStateDelayMs: number;
  private lastDurableSeq = 0;

  private constructor(opts: StateStoreOptions) {
    this.path = join(opts.dir, STATE_FILE);
    this.limits = opts.outbox;
    this.checkStateDelayMs = opts.checkStateDelayMs ?? 1_000;
    this.adapter = new DurableFileAdapter<AgentState>(this.path, { serialize: serializeState });
    this.db = new Low(this.adapter, emptyState());
    this.scheduler = new WriteScheduler({
      write: () => {
        const seq = this.data.seq; // the write snapshots the data now, so it holds every seq up to this one
        return this.db.write().then(() => void (this.lastDurableSeq = Math.max(this.lastDurableSeq, seq)));
      },
      beforeRetry: async () => void (await mkdir(opts.dir, { recursive: true })), // the directory may have vanished
      onError: (err) => {
        this.count('stateWriteFailures');
        opts.onWriteError?.(err);
      },
      retry: opts.retry,
      now: opts.now,
    });
  }

  static async open(opts: StateStoreOptions): Promise<StateStore> {
    const store = new StateStore(opts);
    const now = opts.now ?? (() => new Date());
    await mkdir(opts.dir, { recursive: true }).catch(() => undefined); // a failure shows up as a write error
    const loaded = await loadWithRecovery<AgentState>({
      path: store.path,
      backupPath: store.adapter.backupPath,
      what: 'agent state',
      validate: (value) => {
        const checked = checkAgentState(value);
        return checked.ok ? { ok: true, value: checked.state, skipped: checked.skipped } : checked;
      },
      now,
    });
    await store.adapter.removeStaleTemp();
    if (loaded.value) {
      store.db.data = loaded.value;
      store.lastDurableSeq = loaded.value.seq;
    }
    const capped = enforceCaps(store.data.outbox, store.limits); // the caps may have been lowered since the last run
    store.applyEvictions(capped.evicted, capped.outbox);
    if (loaded.recovered) {
      store.recovered = loaded.recovered;
      store.count('stateRecoveries');
      // Put a good state.json back in place now rather than at the next change.
      await store.commit();
    }
    return store;
  }

  /**
   * The authoritative in-memory state. Mutate it, then call commit(). Outbox entries are immutable once stored
   * (their encoding is cached): change the outbox only through appendTransitions and ackUpTo.
   */
  get data(): AgentState {
    return this.db.data;
  }

  /**
   * Highest seq known to be on disk. A shipper that sends only up to here never shows the desk a seq that a crash
   * could hand out again (seqs above it live only in memory while writes fail).
   */
  get durableSeq(): number {
    return this.lastDurableSeq;
  }

  /** Schedules a durable write of the current data; true once it is on disk, false if that write failed. */
  commit(): Promise<boolean> {
    return this.scheduler.request();
  }

  /** Assigns seqs, applies coalescing and caps, and waits until the result is durable (or the write failed). */
  async appendTransitions(list: Omit<FaultTransition, 'seq'>[]): Promise<{ transitions: FaultTransition[]; durable: boolean }> {
    const data = this.data;
    // Snapshots: callers keep mutating their Fault objects, a stored transition must not change with them.
    const transitions = list.map((t): FaultTransition => {
      const { seq: _callerSeq, ...copy } = structuredClone(t) as Partial<FaultTransition> & Omit<FaultTransition, 'seq'>;
      return { seq: ++data.seq, ...copy }; // the store alone assigns seqs
    });
    const outcome = appendToOutbox(data.outbox, transitions, this.limits);
    if (outcome.coalesced.length) this.count('outboxCoalesced', outcome.coalesced.length);
    this.applyEvictions(outcome.evicted, outcome.outbox);
    const durable = await this.commit();
    return { transitions, durable };
  }

  /** Cumulative ack from the desk: every transition up to `seq` was delivered. */
  async ackUpTo(seq: number): Promise<void> {
    const { outbox, removed } = ackOutbox(this.data.outbox, seq);
    if (removed === 0) return;
    this.applyEvictions([], outbox);
    await this.commit();
  }

  health(): StoreHealth {
    const data = this.data;
    const health: StoreHealth = {
      outboxDepth: data.outbox.length,
      outboxBytes: outboxBytes(data.outbox),
      evicted: data.counters.outboxEvicted ?? 0,
      overflowing: data.outboxOverflowing === true,
    };
    const oldest = data.outbox[0];
    if (oldest) health.oldestPendingAt = oldest.at;
    const writeError = this.scheduler.error;
    if (writeError) health.writeError = { ...writeError };
    if (this.recovered) health.recovered = { ...this.recovered };
    return health;
  }

  /** Persistent state of one check, for its ProbeContext. Values are copied in and out (JSON only). */
  checkState(checkId: string): CheckStateHandle {
    return {
      get: <T>(): T | undefined => {
        const value = this.data.checkState[checkId];
        return value === undefined ? undefined : (structuredClone(value) as T);
      },
      set: <T>(value: T): void => {
        const json = JSON.stringify(value); // JSON only: also detaches the stored value from the caller's object
        if (json === undefined) delete this.data.checkState[checkId];
        else this.data.checkState[checkId] = JSON.parse(json) as unknown;
        this.commitCheckStateSoon();
      },
    };
  }

  /** Writes what is pending and stops the retry timer. The store must not be used afterwards. */
  async close(): Promise<void> {
    if (this.checkStateTimer) {
      clearTimeout(this.checkStateTimer);
      this.checkStateTimer = null;
      void this.commit();
    }
    await this.scheduler.close();
  }

  /** Check state is not worth a write of its own: wait a little so it rides along with other changes. */
  private commitCheckStateSoon(): void {
    if (this.checkStateTimer) return;
    this.checkStateTimer = setTimeout(() => {
      this.checkStateTimer = null;
      void this.commit();
    }, this.checkStateDelayMs);
    this.checkStateTimer.unref();
  }

  /** Installs the new outbox (already without `evicted`), counts evictions and tracks the overflow episode. */
  private applyEvictions(evicted: FaultTransition[], outbox: FaultTransition[]): void {
    const data = this.data;
    for (const t of evicted) for (const name of evictionCounters(t)) this.count(name);
    data.outbox = outbox;
    if (evicted.length) data.outboxOverflowing = true;
    else if (data.outboxOverflowing && isDrained(data.outbox, this.limits)) delete data.outboxOverflowing;
  }

  private count(name: string, by = 1): void {
    this.data.counters[name] = (this.data.counters[name] ?? 0) + by;
  }
}
