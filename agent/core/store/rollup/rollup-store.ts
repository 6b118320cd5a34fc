import { readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProbeResult } from '../../checks/result.js';
import type { FaultTransition } from '../../faults/types.js';
import { severityRank } from '../../severity.js';
import { ensurePrivateDir } from '../../private-files.js';
import { DurableFileAdapter } from '../durable-file.js';
import { messageOf } from '../json-file.js';
import { loadWithRecovery, type Recovered } from '../recover.js';
import type { WriteErrorState } from '../write-scheduler.js';
import { addResult, emptyDay } from './day.js';
import { checkMonthFile, emptyMonth, localDay, MONTH_PATTERN, monthPath, REPORTS_DIR, shiftMonth, type FaultOccurrence, type MonthFile } from './month-file.js';

export interface RollupStoreOptions {
  /** the agent's state directory; month files go to <dir>/reports/ */
  dir: string;
  /** months kept, the current one included (storage.reportMonths) */
  months: number;
  /** days are cut in this zone; default the process's local zone at open */
  utcOffsetMinutes?: number;
  /** the current month is written at most this often (default 5 min), on a fault change within `faultFlushMs`, and on close */
  flushIntervalMs?: number;
  faultFlushMs?: number;
  now?: () => Date;
  onWriteError?: (err: unknown) => void;
}

/** Bounds, so a check with ever new subjects or a flapping fault cannot grow a month without limit. */
export const MAX_SUBJECTS_PER_CHECK = 64;
export const MAX_FAULTS_PER_MONTH = 2_000;
const MAX_STARTS = 100;

/**
 * Daily roll-ups per check and subject and the month's fault occurrences, for the monthly inspection report. One
 * durable file per month (write, fsync, rename; the previous copy kept as .bak): only the current month is rewritten,
 * so the cost of a write does not grow with the months kept. Written lazily like history (a crash loses at most the
 * last interval's counts, never the file); opening never throws.
 */
export class RollupStore {
  private current: MonthFile;
  private adapter: DurableFileAdapter<MonthFile>;
  private readonly offset: number;
  private readonly now: () => Date;
  private recovered: Recovered | undefined;
  private writeError: WriteErrorState | undefined;
  private dirty = false;
  private closed = false;
  private timer: NodeJS.Timeout | null = null;
  private timerDue = Infinity;
  private flushing: Promise<boolean> = Promise.resolve(true);

  private constructor(private readonly opts: RollupStoreOptions, month: string) {
    this.now = opts.now ?? (() => new Date());
    this.offset = opts.utcOffsetMinutes ?? -this.now().getTimezoneOffset();
    this.current = emptyMonth(month, this.offset);
    this.adapter = new DurableFileAdapter<MonthFile>(monthPath(opts.dir, month));
  }

  static async open(opts: RollupStoreOptions): Promise<RollupStore> {
    const now = opts.now ?? (() => new Date());
    const offset = opts.utcOffsetMinutes ?? -now().getTimezoneOffset();
    const store = new RollupStore({ ...opts, utcOffsetMinutes: offset }, localDay(now(), offset).month);
    await store.load();
    await store.prune().catch(() => undefined);
    return store;
  }

  /** The month being written now. */
  get month(): string {
    return this.current.month;
  }

  /** Results of one check run, into their subject's day. */
  record(checkId: string, results: ProbeResult[]): void {
    for (const r of results) {
      const parsed = new Date(r.time);
      const at = Number.isNaN(parsed.getTime()) ? this.now() : parsed;
      const file = this.fileFor(at);
      if (!file) continue;
      const subjects = (file.checks[checkId] ??= {});
      if (!subjects[r.subject] && Object.keys(subjects).length >= MAX_SUBJECTS_PER_CHECK) {
        file.dropped.subjects += 1;
        continue;
      }
      const day = localDay(at, this.offset).day;
      const days = (subjects[r.subject] ??= {});
      addResult((days[day] ??= emptyDay(r.time)), r);
    }
    if (results.length) this.markDirty(this.opts.flushIntervalMs ?? 300_000);
  }

  /** Fault transitions as stored: each updates its occurrence in the month it happened in. */
  recordTransitions(transitions: readonly FaultTransition[]): void {
    for (const t of transitions) {
      const file = this.fileFor(new Date(t.at));
      if (!file) continue;
      const f = t.fault;
      let o: FaultOccurrence | undefined = file.faults[f.id];
      if (!o) {
        if (Object.keys(file.faults).length >= MAX_FAULTS_PER_MONTH) {
          file.dropped.faults += 1;
          continue;
        }
        // A fault open since last month starts here with its original times.
        o = { id: f.id, key: f.key, code: f.code, severity: f.severity, checkId: f.checkId, subject: f.subject, title: f.title, detectedAt: t.detectedAt, openedAt: t.kind === 'opened' ? t.at : f.firstSeen, occurrences: f.occurrences };
        file.faults[f.id] = o;
      }
      if (severityRank(f.severity) > severityRank(o.severity)) o.severity = f.severity;
      o.occurrences = Math.max(o.occurrences, f.occurrences);
      if (f.acknowledgedAt && !o.acknowledgedAt) {
        o.acknowledgedAt = f.acknowledgedAt;
        if (f.acknowledgedBy) o.acknowledgedBy = f.acknowledgedBy.slice(0, 64);
      }
      if (t.kind === 'resolved') o.resolvedAt = f.resolvedAt ?? t.at;
    }
    if (transitions.length) this.markDirty(this.opts.faultFlushMs ?? 1_000);
  }

  /** The agent started: kept for the report's agent-health item. */
  noteStart(at = this.now()): void {
    const file = this.fileFor(at);
    if (!file) return;
    file.starts.push(at.toISOString());
    if (file.starts.length > MAX_STARTS) file.starts.splice(0, file.starts.length - MAX_STARTS);
    this.markDirty(this.opts.faultFlushMs ?? 1_000);
  }

  /** A copy of the current month as it is in memory (includes what is not yet written). */
  snapshot(): MonthFile {
    return structuredClone(this.current);
  }

  health(): { recovered?: Recovered; writeError?: WriteErrorState } {
    return { ...(this.recovered ? { recovered: { ...this.recovered } } : {}), ...(this.writeError ? { writeError: { ...this.writeError } } : {}) };
  }

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

  /** The file an instant belongs to: the current month, a new month (the old one is written first), none for the past. */
  private fileFor(at: Date): MonthFile | undefined {
    const month = localDay(at, this.offset).month;
    if (month === this.current.month) return this.current;
    if (month < this.current.month) return undefined; // a late result of a month already closed: not worth rewriting it
    const previous = { file: this.current, adapter: this.adapter, dirty: this.dirty };
    this.current = emptyMonth(month, this.offset);
    this.adapter = new DurableFileAdapter<MonthFile>(monthPath(this.opts.dir, month));
    this.dirty = true;
    // The finished month gets its last write now; nothing will change it again.
    if (previous.dirty) this.flushing = this.flushing.then(() => this.write(previous.adapter, structuredClone(previous.file)));
    this.flushing = this.flushing.then(async (ok) => (await this.prune().catch(() => undefined), ok));
    return this.current;
  }

  private async load(): Promise<void> {
    const loaded = await loadWithRecovery<MonthFile>({ path: this.adapter.path, backupPath: this.adapter.backupPath, what: 'monthly report roll-ups', validate: checkMonthFile, now: this.now });
    await this.adapter.removeStaleTemp();
    if (loaded.value && loaded.value.month === this.current.month) this.current = loaded.value;
    if (loaded.recovered) {
      this.recovered = loaded.recovered;
      this.dirty = true; // put a good file back in place
    }
  }

  /** Deletes month files (and their copies) older than the months kept. */
  private async prune(): Promise<void> {
    const oldestKept = shiftMonth(this.current.month, this.opts.months - 1);
    const dir = join(this.opts.dir, REPORTS_DIR);
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const month = name.slice(0, 7);
      if (MONTH_PATTERN.test(month) && name[7] === '.' && month < oldestKept) await unlink(join(dir, name)).catch(() => undefined);
    }
  }

  private async writeIfDirty(): Promise<boolean> {
    if (!this.dirty) return true;
    this.dirty = false;
    const ok = await this.write(this.adapter, structuredClone(this.current));
    if (!ok) {
      this.dirty = true;
      this.markDirty(this.opts.flushIntervalMs ?? 300_000);
    }
    return ok;
  }

  private async write(adapter: DurableFileAdapter<MonthFile>, data: MonthFile): Promise<boolean> {
    try {
      await ensurePrivateDir(this.opts.dir);
      await ensurePrivateDir(join(this.opts.dir, REPORTS_DIR));
      await adapter.write(data);
      this.writeError = undefined;
      return true;
    } catch (err) {
      const failures = (this.writeError?.failures ?? 0) + 1;
      this.writeError = { message: messageOf(err), since: this.writeError?.since ?? this.now().toISOString(), failures };
      try {
        this.opts.onWriteError?.(err);
      } catch {
        // observers must not break the store
      }
      return false;
    }
  }

  /** A write within `delayMs`: an earlier timer already due sooner is kept, a later one is brought forward. */
  private markDirty(delayMs: number): void {
    this.dirty = true;
    if (this.closed) return;
    const due = Date.now() + delayMs;
    if (this.timer && this.timerDue <= due) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDue = due;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerDue = Infinity;
      void this.flush();
    }, delayMs);
    this.timer.unref();
  }
}
