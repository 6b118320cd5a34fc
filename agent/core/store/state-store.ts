import { join } from 'node:path';
import { Low } from 'lowdb';
import type { ActiveFaults, FaultTransition } from '../faults/types.js';
import type { CheckStateHandle } from '../checks/plugin.js';
import { DurableFileAdapter } from './durable-file.js';
import { encodeRecord, type JournalRecord } from './journal/record.js';
import { OutboxJournal } from './journal/outbox-journal.js';
import { ackOutbox, appendToOutbox, enforceCaps, evictionCounters, isDrained, outboxBytes } from './outbox.js';
import { ensurePrivateDir, tightenTree } from '../private-files.js';
import { loadWithRecovery, type Recovered } from './recover.js';
import { replayJournal } from './replay.js';
import { checkStateFile, emptyState, toCheckpoint } from './state-shape.js';
import type { AgentState, CheckpointFile, OutboxLimits, StoreHealth } from './types.js';
import { WriteScheduler, type RetryPolicy } from './write-scheduler.js';

export interface StateStoreOptions {
  /** Directory of state.json and the outbox journal (created when missing). */
  dir: string;
  outbox: OutboxLimits;
  now?: () => Date;
  /** Called on every failed write; the store keeps running from memory and retries. */
  onWriteError?: (err: unknown) => void;
  /** Backoff after a failed write; default 1 s doubling to 60 s. */
  retry?: RetryPolicy;
  /** Check-state changes wait this long so they share a write with others; default 1000 ms. */
  checkStateDelayMs?: number;
  /**
   * After transitions, state.json (faults as changed in place, counters) follows within this time; default 5 min.
   * Transitions are durable at once in the journal and rebuild the faults at open; the checkpoint only bounds that
   * replay and keeps what changes without a transition (last seen, occurrences), so it need not follow every event.
   */
  checkpointDelayMs?: number;
  /** Size at which a journal segment is closed; default 1 MiB. */
  segmentBytes?: number;
  /** Told each new cumulative ack from the desk (the monthly report's desk receipt times); must not throw. */
  onAcked?: (seq: number) => void;
}

export const STATE_FILE = 'state.json';
export const OUTBOX_DIR = 'outbox';
/** Dead journal bytes beyond live ones that trigger a rewrite of the live set (on top of twice the live bytes). */
const COMPACT_SLACK_BYTES = 1024 * 1024;

/**
 * The agent's durable state, in two parts:
 * - the outbox (transitions not yet acknowledged by the desk) in an append-only journal: a commit writes only the
 *   new records, so its cost does not grow with the backlog;
 * - a small checkpoint, state.json through lowdb: active faults, counters, check state, the seq and ack it covers.
 * At open, transitions newer than the checkpoint are replayed into the faults, so a crash between the two loses
 * nothing that was reported durable. The in-memory state is authoritative; nothing outside the store touches it.
 * Opening never throws: unreadable state is moved aside and recovered, write errors are retried.
 */
export class StateStore {
  readonly path: string;
  readonly journalDir: string;
  /** The active faults; the fault engine changes them through this table. */
  readonly faults: ActiveFaults;
  /** The checkpoint's lowdb adapter; see io() for the bytes both parts wrote. */
  readonly adapter: DurableFileAdapter<CheckpointFile>;
  private readonly db: Low<CheckpointFile>;
  private state: AgentState = emptyState();
  private journal!: OutboxJournal;
  private readonly scheduler: WriteScheduler;
  private readonly limits: OutboxLimits;
  private readonly checkStateDelayMs: number;
  private readonly checkpointDelayMs: number;
  private recovered: Recovered | undefined;
  private checkStateTimer: NodeJS.Timeout | null = null;
  private checkpointTimer: NodeJS.Timeout | null = null;
  /** Records waiting for the next journal append, with the highest transition seq among them. */
  private pending: Buffer[] = [];
  private pendingMaxSeq = 0;
  private checkpointWanted = false;
  /** Something the checkpoint holds changed since it was last written. */
  private dirty = false;
  /** Set after a failed write: the next write rewrites the whole live outbox, as nothing else is known to be on disk. */
  private rewriteWanted = false;
  private lastDurableSeq = 0;
  /** UTF-8 bytes of the outbox, kept up to date: summing 10,000 events on every commit would cost more than the write. */
  private outboxByteCount = 0;

  private constructor(private readonly opts: StateStoreOptions) {
    this.path = join(opts.dir, STATE_FILE);
    this.journalDir = join(opts.dir, OUTBOX_DIR);
    this.limits = opts.outbox;
    this.checkStateDelayMs = opts.checkStateDelayMs ?? 1_000;
    this.checkpointDelayMs = opts.checkpointDelayMs ?? 300_000;
    this.adapter = new DurableFileAdapter<CheckpointFile>(this.path);
    this.db = new Low(this.adapter, toCheckpoint(this.state));
    const byKey = () => this.state.faults;
    this.faults = {
      get: (key) => byKey()[key],
      put: (fault) => {
        byKey()[fault.key] = fault;
        this.dirty = true;
      },
      remove: (key) => {
        delete byKey()[key];
        this.dirty = true;
      },
      list: () => Object.values(byKey()),
    };
    this.scheduler = new WriteScheduler({
      write: () => this.writeOnce(),
      beforeRetry: () => ensurePrivateDir(opts.dir), // the directory may have vanished
      onError: (err) => {
        this.rewriteWanted = true;
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
    await ensurePrivateDir(opts.dir).catch(() => undefined); // a failure shows up as a write error
    await tightenTree(opts.dir, [OUTBOX_DIR]).catch(() => undefined); // left world-readable by an older version
    const loaded = await loadWithRecovery({
      path: store.path,
      backupPath: store.adapter.backupPath,
      what: 'agent state',
      validate: (value) => {
        const checked = checkStateFile(value);
        return checked.ok ? { ok: true, value: checked, skipped: checked.skipped } : checked;
      },
      now,
    });
    await store.adapter.removeStaleTemp();
    const opened = await OutboxJournal.open({ dir: store.journalDir, now, ...(opts.segmentBytes ? { segmentBytes: opts.segmentBytes } : {}) });
    store.journal = opened.journal;
    const base = loaded.value?.state ?? emptyState();
    // A version 1 file holds the whole outbox: the journal is written from it at the first commit below.
    const migrating = loaded.value?.version === 1;
    store.state = replayJournal(base, opened.records);
    store.lastDurableSeq = store.state.seq;
    store.recovered = mergeRecovered(loaded.recovered, opened.damage && { reason: opened.damage.reasons.join('; '), ...(opened.damage.movedTo ? { movedTo: opened.damage.movedTo } : {}), at: now().toISOString() });
    const capped = enforceCaps(store.state.outbox, store.limits); // the caps may have been lowered since the last run
    store.applyEvictions(capped.evicted, capped.outbox, capped.bytes);
    if (capped.evicted.length) store.queue({ kind: 'dropped', seqs: capped.evicted.map((t) => t.seq) });
    if (store.recovered) store.count('stateRecoveries');
    if (migrating || opened.damage) store.rewriteWanted = true; // a clean journal, without the damage or from the old file
    // One write at open when something was repaired: a good state.json back in place, the old format migrated.
    if (loaded.recovered || migrating || opened.damage || capped.evicted.length) await store.commit();
    return store;
  }

  /** Last seq assigned to a transition (0 before the first). */
  get lastSeq(): number {
    return this.state.seq;
  }

  /** The desk acknowledged every transition up to here. */
  get ackedSeq(): number {
    return this.state.ackedSeq;
  }

  /**
   * Highest seq known to be on disk. A shipper that sends only up to here never shows the desk a seq that a crash
   * could hand out again (seqs above it live only in memory while writes fail).
   */
  get durableSeq(): number {
    return this.lastDurableSeq;
  }

  /** Transitions not yet acknowledged, oldest first (by seq). Read-only: change them with appendTransitions / ackUpTo. */
  pendingTransitions(): readonly FaultTransition[] {
    return this.state.outbox;
  }

  /** Monotonic counters: outbox evictions by class, coalescing, write failures, recoveries. */
  counters(): Readonly<Record<string, number>> {
    return this.state.counters;
  }

  /** Everything the journal and the checkpoint wrote since open: the store's write amplification. */
  io(): { writes: number; bytesWritten: number; journalBytes: number; checkpointBytes: number; journalSegments: number } {
    return {
      writes: this.journal.writes + this.adapter.writes,
      bytesWritten: this.journal.bytesWritten + this.adapter.bytesWritten,
      journalBytes: this.journal.bytesWritten,
      checkpointBytes: this.adapter.bytesWritten,
      journalSegments: this.journal.segmentCount,
    };
  }

  /** Persists everything now, checkpoint included; true once it is on disk, false if that write failed. */
  commit(): Promise<boolean> {
    this.checkpointWanted = true;
    return this.scheduler.request();
  }

  /** Assigns seqs, applies coalescing and caps, and waits until the result is durable (or the write failed). */
  async appendTransitions(list: Omit<FaultTransition, 'seq'>[]): Promise<{ transitions: FaultTransition[]; durable: boolean }> {
    const state = this.state;
    // Snapshots: callers keep mutating their Fault objects, a stored transition must not change with them.
    const transitions = list.map((t): FaultTransition => {
      const { seq: _callerSeq, ...copy } = structuredClone(t) as Partial<FaultTransition> & Omit<FaultTransition, 'seq'>;
      return { seq: ++state.seq, ...copy }; // the store alone assigns seqs
    });
    const outcome = appendToOutbox(state.outbox, transitions, this.limits, this.outboxByteCount);
    if (outcome.coalesced.length) this.count('outboxCoalesced', outcome.coalesced.length);
    this.applyEvictions(outcome.evicted, outcome.outbox, outcome.bytes);
    // Coalescing stores a merged copy: journal what the outbox holds, so a replay rebuilds the same outbox.
    const stored = new Map<number, FaultTransition>();
    const first = transitions[0]?.seq ?? Infinity;
    for (let i = outcome.outbox.length - 1; i >= 0 && outcome.outbox[i]!.seq >= first; i--) stored.set(outcome.outbox[i]!.seq, outcome.outbox[i]!);
    for (const t of transitions) this.queue({ kind: 'transition', transition: stored.get(t.seq) ?? t });
    const dropped = [...outcome.coalesced, ...outcome.evicted].map((t) => t.seq);
    if (dropped.length) this.queue({ kind: 'dropped', seqs: dropped });
    this.checkpointSoon();
    const durable = await this.scheduler.request();
    return { transitions, durable };
  }

  /** Cumulative ack from the desk: every transition up to `seq` was delivered. */
  async ackUpTo(seq: number): Promise<void> {
    if (seq <= this.state.ackedSeq) return;
    const { outbox } = ackOutbox(this.state.outbox, seq);
    this.state.ackedSeq = Math.min(seq, this.state.seq);
    try {
      this.opts.onAcked?.(this.state.ackedSeq);
    } catch {
      // observers must not break the store
    }
    this.applyEvictions([], outbox, outboxBytes(outbox));
    this.queue({ kind: 'acked', upTo: this.state.ackedSeq });
    await this.scheduler.request();
  }

  health(): StoreHealth {
    const state = this.state;
    const health: StoreHealth = {
      outboxDepth: state.outbox.length,
      outboxBytes: this.outboxByteCount,
      evicted: state.counters.outboxEvicted ?? 0,
      overflowing: state.outboxOverflowing === true,
    };
    const oldest = state.outbox[0];
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
        const value = this.state.checkState[checkId];
        return value === undefined ? undefined : (structuredClone(value) as T);
      },
      set: <T>(value: T): void => {
        const json = JSON.stringify(value); // JSON only: also detaches the stored value from the caller's object
        if (json === undefined) delete this.state.checkState[checkId];
        else this.state.checkState[checkId] = JSON.parse(json) as unknown;
        this.dirty = true;
        this.commitCheckStateSoon();
      },
    };
  }

  /** Writes what is pending, checkpoint included, and stops the timers. The store must not be used afterwards. */
  async close(): Promise<void> {
    for (const timer of [this.checkStateTimer, this.checkpointTimer]) if (timer) clearTimeout(timer);
    this.checkStateTimer = this.checkpointTimer = null;
    // Active faults may have changed in place (last seen, occurrences): they are worth the last write.
    if (this.dirty || Object.keys(this.state.faults).length > 0) this.checkpointWanted = true;
    void this.scheduler.request();
    await this.scheduler.close();
  }

  /**
   * One write: the checkpoint when asked for or when segments are about to go (their transitions must be covered by
   * it first), then the journal (new records, or the whole live outbox after a failure or for compaction), then the
   * deletions. A crash after the checkpoint and before the journal loses only records not yet reported durable.
   * Everything it writes is taken from memory synchronously, before the first await.
   */
  private writeOnce(): Promise<void> {
    const state = this.state;
    const seq = state.seq;
    const rewrite = this.rewriteWanted || this.compactionDue();
    const frames = rewrite ? this.liveFrames() : this.pending;
    const maxSeq = rewrite ? (state.outbox.at(-1)?.seq ?? 0) : this.pendingMaxSeq;
    this.pending = [];
    this.pendingMaxSeq = 0;
    this.rewriteWanted = false;
    const checkpoint = this.checkpointWanted || rewrite || this.journal.hasObsolete(state.ackedSeq);
    this.checkpointWanted = false;
    if (checkpoint) this.dirty = false;
    // Taken now: lowdb stringifies at write(), which comes after the journal's await.
    const data = checkpoint ? structuredClone(toCheckpoint(state)) : undefined;
    return (async () => {
      try {
        if (data) {
          this.db.data = data;
          await this.db.write();
        }
        if (rewrite) await this.journal.rewrite(frames, maxSeq);
        else await this.journal.append(frames, maxSeq);
        await this.journal.deleteObsolete(data ? data.ackedSeq : -1);
      } catch (err) {
        // Nothing after the last good write is known to be on disk: rewrite everything at the retry.
        if (checkpoint) this.checkpointWanted = this.dirty = true;
        throw err;
      }
      this.lastDurableSeq = Math.max(this.lastDurableSeq, seq);
      if (this.checkpointTimer && checkpoint) {
        clearTimeout(this.checkpointTimer);
        this.checkpointTimer = null;
      }
    })();
  }

  /** Dead records outweigh live ones: rewrite the live set rather than keep dead segments (desk unreachable for long). */
  private compactionDue(): boolean {
    const live = this.outboxByteCount;
    return this.journal.totalBytes > 2 * live + COMPACT_SLACK_BYTES;
  }

  /** The whole durable outbox as records: the seq and ack it has reached, then every pending transition. */
  private liveFrames(): Buffer[] {
    const s = this.state;
    const frames = [encodeRecord({ kind: 'seqFloor', seq: s.seq }), encodeRecord({ kind: 'acked', upTo: s.ackedSeq })];
    for (const t of s.outbox) frames.push(encodeRecord({ kind: 'transition', transition: t }));
    return frames;
  }

  private queue(record: JournalRecord): void {
    this.pending.push(encodeRecord(record));
    this.dirty = true;
    if (record.kind === 'transition') this.pendingMaxSeq = Math.max(this.pendingMaxSeq, record.transition.seq);
  }

  /** Faults and counters changed with these transitions: state.json follows soon, in one write for many. */
  private checkpointSoon(): void {
    if (this.checkpointTimer) return;
    this.checkpointTimer = setTimeout(() => {
      this.checkpointTimer = null;
      void this.commit();
    }, this.checkpointDelayMs);
    this.checkpointTimer.unref();
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
  private applyEvictions(evicted: FaultTransition[], outbox: FaultTransition[], bytes: number): void {
    const state = this.state;
    for (const t of evicted) for (const name of evictionCounters(t)) this.count(name);
    state.outbox = outbox;
    this.outboxByteCount = bytes;
    if (evicted.length) state.outboxOverflowing = true;
    else if (state.outboxOverflowing && isDrained(state.outbox, this.limits)) delete state.outboxOverflowing;
  }

  private count(name: string, by = 1): void {
    this.state.counters[name] = (this.state.counters[name] ?? 0) + by;
    this.dirty = true;
  }

  /** The state as it is in memory, for the store's own tests. Nothing else may read or change it. */
  get internalState(): Readonly<AgentState> {
    return this.state;
  }
}

function mergeRecovered(a: Recovered | undefined, b: Recovered | undefined): Recovered | undefined {
  if (!a || !b) return a ?? b;
  const merged: Recovered = { ...a, reason: `${a.reason}; ${b.reason}` };
  if (!merged.movedTo && b.movedTo) merged.movedTo = b.movedTo;
  return merged;
}
