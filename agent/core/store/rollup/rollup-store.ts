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
import { checkMonthFile, emptyMonth, livePath, localDay, mergeMonth, MONTH_PATTERN, monthPath, REPORTS_DIR, shiftMonth, type FaultOccurrence, type MonthFile } from './month-file.js';

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
 * Daily roll-ups per check and subject and the month's fault occurrences, for the monthly inspection report. Two
 * durable files per month (write, fsync, rename; the previous copy kept as .bak): `YYYY-MM.live.json`, the open day
 * with the faults, rewritten at every flush; `YYYY-MM.json`, the closed days, written once when a day closes. So a
 * write costs one day's roll-ups whatever the day of the month and however many months are kept. Written lazily like
 * history (a crash loses at most the last interval's counts, never a file); opening never throws.
 */
export class RollupStore {
  private current: MonthFile;
  /** the closed days' file and the live file of the current month */
  private closedFile: DurableFileAdapter<MonthFile>;
  private liveFile: DurableFileAdapter<MonthFile>;
  /** the latest day ("DD") results arrived for; a later one closes it */
  private openDay: string | undefined;
  private readonly offset: number;
  private readonly now: () => Date;
  private recovered: Recovered | undefined;
  private writeError: WriteErrorState | undefined;
  private dirty = false;
  private closed = false;
  private timer: NodeJS.Timeout | null = null;
  private timerDue = Infinity;
  private flushing: Promise<boolean> = Promise.resolve(true);
  /** Instrumentation (tests and the benchmark): completed writes and the bytes they wrote. */
  private written = { writes: 0, bytesWritten: 0 };

  private constructor(private readonly opts: RollupStoreOptions, month: string) {
    this.now = opts.now ?? (() => new Date());
    this.offset = opts.utcOffsetMinutes ?? -this.now().getTimezoneOffset();
    this.current = emptyMonth(month, this.offset);
    this.closedFile = new DurableFileAdapter<MonthFile>(monthPath(opts.dir, month));
    this.liveFile = new DurableFileAdapter<MonthFile>(livePath(opts.dir, month));
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
      const day = localDay(at, this.offset).day;
      if (file.through !== undefined && day <= file.through) continue; // a late result for a day already closed
      if (this.openDay !== undefined && day > this.openDay) this.closeThrough(this.openDay);
      if (this.openDay === undefined || day > this.openDay) this.openDay = day;
      const subjects = (file.checks[checkId] ??= {});
      if (!subjects[r.subject] && Object.keys(subjects).length >= MAX_SUBJECTS_PER_CHECK) {
        file.dropped.subjects += 1;
        continue;
      }
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
        o = { id: f.id, key: f.key, code: f.code, severity: f.severity, checkId: f.checkId, subject: f.subject, title: f.title, detectedAt: t.detectedAt, openedAt: t.kind === 'opened' ? t.at : f.firstSeen, occurrences: f.occurrences, seq: t.seq };
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

  /** The desk acknowledged every transition up to `seq`: the occurrences it now has get their receipt time. */
  deskAcked(seq: number): void {
    let changed = false;
    for (const o of Object.values(this.current.faults)) {
      if (o.deskReceivedAt || o.seq === undefined || o.seq > seq) continue;
      o.deskReceivedAt = this.now().toISOString();
      changed = true;
    }
    if (changed) this.markDirty(this.opts.faultFlushMs ?? 1_000);
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

  io(): { writes: number; bytesWritten: number } {
    return { ...this.written };
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
    // The finished month gets its last write, whole, and its live file goes: nothing will change it again.
    const finished = { ...structuredClone(this.current), through: '31' };
    const closed = this.closedFile;
    const live = this.liveFile;
    this.current = emptyMonth(month, this.offset);
    this.closedFile = new DurableFileAdapter<MonthFile>(monthPath(this.opts.dir, month));
    this.liveFile = new DurableFileAdapter<MonthFile>(livePath(this.opts.dir, month));
    this.openDay = undefined;
    this.dirty = true;
    this.flushing = this.flushing.then(async (ok) => {
      const written = await this.write(closed, finished);
      if (written) await unlink(live.path).catch(() => undefined);
      await this.prune().catch(() => undefined);
      return ok && written;
    });
    return this.current;
  }

  /** Days up to `day` are closed: they are written to the month file now, and leave the live file. */
  private closeThrough(day: string): void {
    this.current.through = day;
    const closed = structuredClone(this.current);
    for (const subjects of Object.values(closed.checks)) for (const days of Object.values(subjects)) for (const d of Object.keys(days)) if (d > day) delete days[d];
    const adapter = this.closedFile;
    this.flushing = this.flushing.then(async (ok) => (await this.write(adapter, closed)) && ok);
    this.dirty = true;
  }

  private async load(): Promise<void> {
    const part = async (adapter: DurableFileAdapter<MonthFile>) => {
      const loaded = await loadWithRecovery<MonthFile>({ path: adapter.path, backupPath: adapter.backupPath, what: 'monthly report roll-ups', validate: checkMonthFile, now: this.now });
      await adapter.removeStaleTemp();
      if (loaded.recovered) {
        this.recovered = this.recovered ? { ...this.recovered, reason: `${this.recovered.reason}; ${loaded.recovered.reason}` } : loaded.recovered;
        this.dirty = true; // put a good file back in place
      }
      return loaded.value?.month === this.current.month ? loaded.value : undefined;
    };
    const merged = mergeMonth(await part(this.closedFile), await part(this.liveFile));
    if (!merged) return;
    this.current = merged;
    const days = Object.values(merged.checks).flatMap((subjects) => Object.values(subjects).flatMap((d) => Object.keys(d)));
    this.openDay = days.length ? days.reduce((a, b) => (b > a ? b : a)) : undefined;
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
    const ok = await this.write(this.liveFile, this.liveCopy());
    if (!ok) {
      this.dirty = true;
      this.markDirty(this.opts.flushIntervalMs ?? 300_000);
    }
    return ok;
  }

  /** The current month without its closed days: what the live file holds. */
  private liveCopy(): MonthFile {
    const through = this.current.through;
    const copy = structuredClone({ ...this.current, checks: {} as MonthFile['checks'] });
    for (const [id, subjects] of Object.entries(this.current.checks)) {
      for (const [subject, days] of Object.entries(subjects)) {
        for (const [d, rollup] of Object.entries(days)) if (through === undefined || d > through) ((copy.checks[id] ??= {})[subject] ??= {})[d] = structuredClone(rollup);
      }
    }
    return copy;
  }

  private async write(adapter: DurableFileAdapter<MonthFile>, data: MonthFile): Promise<boolean> {
    try {
      await ensurePrivateDir(this.opts.dir);
      await ensurePrivateDir(join(this.opts.dir, REPORTS_DIR));
      const before = adapter.bytesWritten;
      await adapter.write(data);
      this.written.writes += 1;
      this.written.bytesWritten += adapter.bytesWritten - before;
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
