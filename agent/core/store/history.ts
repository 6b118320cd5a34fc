import { ensurePrivateDir } from '../private-files.js';
import { join } from 'node:path';
import { Low } from 'lowdb';
import type { ProbeResult } from '../checks/result.js';
import { DurableFileAdapter } from './durable-file.js';
import { boundResult, DEFAULT_MAX_RESULT_BYTES } from './history-bounds.js';
import { messageOf } from './json-file.js';
import { loadWithRecovery, type Recovered, type Validation } from './recover.js';
import type { CheckHistory, HistoryLimits } from './types.js';
import type { WriteErrorState } from './write-scheduler.js';

export interface HistoryStoreOptions {
  dir: string;
  limits: HistoryLimits;
  /** history.json is written at most this often (default HISTORY_FLUSH_MS, 5 min), and on close. */
  flushIntervalMs?: number;
  /** Cap on one stored result's JSON in bytes (default 4096); longer evidence is truncated. */
  maxResultBytes?: number;
  now?: () => Date;
  onWriteError?: (err: unknown) => void;
}

export interface HistoryFile {
  version: 1;
  checks: Record<string, CheckHistory>;
}

export const HISTORY_FILE = 'history.json';
/**
 * History is for the page and support, not for delivery (faults and the outbox are durable on their own): rewriting
 * it every 30 s cost 4x the CPU of the checks themselves and ~100 MB a day of writes (bench/host-checks).
 */
export const HISTORY_FLUSH_MS = 5 * 60_000;

/**
 * Recent results per check for the local health page: a ring buffer of the last N, and the last M failures kept
 * apart so they survive a run of successes. Not critical, so it is written lazily (throttled) and a bad file only
 * costs the history, never the agent.
 */
export class HistoryStore {
  readonly path: string;
  readonly adapter: DurableFileAdapter<HistoryFile>;
  private readonly db: Low<HistoryFile>;
  private readonly flushIntervalMs: number;
  private readonly maxResultBytes: number;
  private readonly now: () => Date;
  private recovered: Recovered | undefined;
  private writeError: WriteErrorState | undefined;
  private dirty = false;
  private closed = false;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<boolean> = Promise.resolve(true);

  private constructor(private readonly opts: HistoryStoreOptions) {
    this.path = join(opts.dir, HISTORY_FILE);
    this.adapter = new DurableFileAdapter<HistoryFile>(this.path, { keepBackup: false });
    this.db = new Low<HistoryFile>(this.adapter, { version: 1, checks: {} });
    this.flushIntervalMs = opts.flushIntervalMs ?? HISTORY_FLUSH_MS;
    this.maxResultBytes = opts.maxResultBytes ?? DEFAULT_MAX_RESULT_BYTES;
    this.now = opts.now ?? (() => new Date());
  }

  /** Never throws: a corrupt history.json is moved aside and history starts empty. */
  static async open(opts: HistoryStoreOptions): Promise<HistoryStore> {
    const store = new HistoryStore(opts);
    const loaded = await loadWithRecovery<HistoryFile>({ path: store.path, what: 'check history', validate: checkHistoryFile, now: store.now });
    await store.adapter.removeStaleTemp();
    if (loaded.value) store.db.data = loaded.value;
    if (loaded.recovered) store.recovered = loaded.recovered;
    for (const id of Object.keys(store.db.data.checks)) store.trim(store.db.data.checks[id]!); // limits may have shrunk
    return store;
  }

  record(checkId: string, results: ProbeResult[]): void {
    if (results.length === 0) return;
    const checks = this.db.data.checks;
    const history = (checks[checkId] ??= { recent: [], failures: [] });
    for (const result of results) {
      const bounded = boundResult(result, this.maxResultBytes);
      history.recent.push(bounded);
      if (bounded.status === 'fail') history.failures.push(bounded);
    }
    this.trim(history);
    this.markDirty();
  }

  get(checkId: string): CheckHistory {
    const h = this.db.data.checks[checkId];
    return { recent: [...(h?.recent ?? [])], failures: [...(h?.failures ?? [])] };
  }

  all(): Record<string, CheckHistory> {
    return Object.fromEntries(Object.keys(this.db.data.checks).map((id) => [id, this.get(id)]));
  }

  /** Forgets checks no longer configured, so removed checks do not stay in the file forever. */
  retainOnly(checkIds: Iterable<string>): void {
    const keep = new Set(checkIds);
    for (const id of Object.keys(this.db.data.checks)) {
      if (!keep.has(id)) {
        delete this.db.data.checks[id];
        this.markDirty();
      }
    }
  }

  health(): { recovered?: Recovered; writeError?: WriteErrorState } {
    const h: { recovered?: Recovered; writeError?: WriteErrorState } = {};
    if (this.recovered) h.recovered = { ...this.recovered };
    if (this.writeError) h.writeError = { ...this.writeError };
    return h;
  }

  /** Writes now if anything changed; false when the write failed (it is retried at the next interval). */
  flush(): Promise<boolean> {
    this.flushing = this.flushing.then(() => this.writeIfDirty());
    return this.flushing;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush();
  }

  private async writeIfDirty(): Promise<boolean> {
    if (!this.dirty) return true;
    this.dirty = false;
    try {
      await ensurePrivateDir(this.opts.dir); // the directory may have been removed under us
      await this.db.write();
      this.writeError = undefined;
      return true;
    } catch (err) {
      this.dirty = true;
      const failures = (this.writeError?.failures ?? 0) + 1;
      this.writeError = { message: messageOf(err), since: this.writeError?.since ?? this.now().toISOString(), failures };
      try {
        this.opts.onWriteError?.(err);
      } catch {
        // observers must not break the store
      }
      this.scheduleFlush();
      return false;
    }
  }

  private markDirty(): void {
    this.dirty = true;
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.flushIntervalMs);
    this.timer.unref();
  }

  private trim(history: CheckHistory): void {
    const { resultsPerCheck, failuresPerCheck } = this.opts.limits;
    if (history.recent.length > resultsPerCheck) history.recent.splice(0, history.recent.length - resultsPerCheck);
    if (history.failures.length > failuresPerCheck) history.failures.splice(0, history.failures.length - failuresPerCheck);
  }
}

/** Whole-file shape only; a malformed check entry is dropped rather than costing every check's history. */
function checkHistoryFile(value: unknown): Validation<HistoryFile> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, problem: 'the top level is not an object' };
  const v = value as { version?: unknown; checks?: unknown };
  if (v.version !== 1) return { ok: false, problem: `version is ${JSON.stringify(v.version)}, expected 1` };
  if (typeof v.checks !== 'object' || v.checks === null || Array.isArray(v.checks)) return { ok: false, problem: 'checks is not an object' };
  const checks: Record<string, CheckHistory> = {};
  const skipped: string[] = [];
  for (const [id, h] of Object.entries(v.checks as Record<string, unknown>)) {
    const entry = h as Partial<CheckHistory> | null;
    if (entry && Array.isArray(entry.recent) && Array.isArray(entry.failures) && [...entry.recent, ...entry.failures].every(isResultLike)) {
      checks[id] = { recent: entry.recent, failures: entry.failures };
    } else skipped.push(`checks[${JSON.stringify(id)}]: not a list of results`);
  }
  return { ok: true, value: { version: 1, checks }, skipped };
}

function isResultLike(r: unknown): boolean {
  const x = r as Partial<ProbeResult> | null;
  return typeof x === 'object' && x !== null && (x.status === 'ok' || x.status === 'fail') && typeof x.time === 'string';
}
