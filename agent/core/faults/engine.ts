import { randomUUID } from 'node:crypto';
import type { FrameworkFaults } from '../checks/plugin.js';
import type { ProbeResult } from '../checks/result.js';
import { FRAMEWORK_REASONS } from '../checks/result.js';
import { severityRank, type Severity } from '../severity.js';
import type { FaultCatalogue } from './catalogue.js';
import { KeyHysteresis, type HysteresisSettings } from './hysteresis.js';
import { computeInhibitions } from './inhibition.js';
import { faultKey } from './key.js';
import type { ActiveFaults, Fault, FaultSignal, FaultTransition, InhibitRule } from './types.js';

/** A transition before the store gives it its sequence number. */
export type PendingTransition = Omit<FaultTransition, 'seq'>;

export interface EngineCheck extends HysteresisSettings {
  id: string;
  rules(result: ProbeResult): FaultSignal | null;
  /** The check's own faults for framework failures (CheckPlugin.frameworkFaults); others keep the framework's. */
  frameworkFaults?: FrameworkFaults;
}

export interface FaultEngineOptions {
  agentId: string;
  catalogue: FaultCatalogue;
  inhibitRules: InhibitRule[];
  /** The active faults, owned by the store; the engine changes them through this table. */
  faults: ActiveFaults;
  now?: () => Date;
  newId?: () => string;
}

/** Framework failures map to framework faults whatever the check; the check's own rules never see them. */
const FRAMEWORK_FAULTS: Record<string, FaultSignal> = {
  timeout: { code: 'CHECK_TIMEOUT', severity: 'major' },
  busy: { code: 'CHECK_TIMEOUT', severity: 'major' },
  crashed: { code: 'CHECK_CRASHED', severity: 'major' },
  probe_error: { code: 'CHECK_ERROR', severity: 'major' },
};

/**
 * The fault for a framework failure reason, or undefined for a check's own reason. A plugin may name its own fault
 * for 'timeout' and 'crashed' (a hung or crashed vendor module); 'busy' and 'probe_error' stay the framework's.
 */
export function frameworkFault(reason: string, overrides?: FrameworkFaults): FaultSignal | undefined {
  const own = reason === 'timeout' || reason === 'crashed' ? overrides?.[reason] : undefined;
  return own ?? FRAMEWORK_FAULTS[reason];
}

interface Tracker {
  checkId: string;
  subject: string;
  h: KeyHysteresis;
  /** A lower grade seen while open, and for how many consecutive results: de-escalation has hysteresis too. */
  lower?: { severity: Severity; count: number };
}

/**
 * Turns probe results into fault transitions: hysteresis, grading, deduplication by stable key, inhibition.
 * The engine alone decides faults; it does no I/O (the caller appends its transitions to the store).
 */
export class FaultEngine {
  private readonly trackers = new Map<string, Tracker>();
  private readonly now: () => Date;
  private readonly newId: () => string;

  constructor(private readonly opts: FaultEngineOptions) {
    this.now = opts.now ?? (() => new Date());
    this.newId = opts.newId ?? randomUUID;
  }

  active(): Fault[] {
    return this.opts.faults.list();
  }

  /** Feeds one run's results of one check. Subjects of this check that are not failing now count as healthy. */
  ingest(check: EngineCheck, results: ProbeResult[]): PendingTransition[] {
    const at = this.now();
    const out: PendingTransition[] = [];
    const failing = new Set<string>();
    // A timed-out or crashed run says nothing about the check's subjects: leave their faults as they are.
    const frameworkFailure = results.some((r) => r.status === 'fail' && r.reason in FRAMEWORK_REASONS);

    for (const r of results) {
      if (r.status !== 'fail') continue;
      const signal = frameworkFault(r.reason, check.frameworkFaults) ?? check.rules(r);
      if (!signal) continue;
      const key = faultKey(this.opts.agentId, check.id, r.subject, signal.code);
      failing.add(key);
      this.fail(key, check, r, signal, at, out);
    }

    for (const [key, t] of this.trackers) {
      if (t.checkId !== check.id || failing.has(key)) continue;
      if (frameworkFailure && t.subject !== check.id) continue;
      this.succeed(key, t, check, at, out);
    }
    // Faults restored from the store have no tracker yet.
    for (const f of this.active()) {
      if (f.checkId !== check.id || failing.has(f.key) || this.trackers.has(f.key)) continue;
      if (frameworkFailure && f.subject !== check.id) continue;
      this.succeed(f.key, this.tracker(f.key, f.checkId, f.subject), check, at, out);
    }
    return this.finish(out, at);
  }

  /** The desk (or a local user) acknowledged a fault, by key or occurrence id, maybe with a note. Unknown or closed: no-op. */
  acknowledge(ref: string, by: string, note?: string): PendingTransition[] {
    const f = this.opts.faults.get(ref) ?? this.active().find((x) => x.id === ref);
    if (!f || f.state !== 'open') return [];
    const at = this.now();
    f.state = 'acknowledged';
    f.acknowledgedBy = by;
    f.acknowledgedAt = at.toISOString();
    if (note?.trim()) f.acknowledgedNote = note.trim();
    return [this.transition('acknowledged', f, at)];
  }

  /** Resolves faults of checks that are no longer configured (e.g. after a config change and restart). */
  retire(configuredCheckIds: Set<string>, internalCheckIds: Set<string>): PendingTransition[] {
    const at = this.now();
    const out: PendingTransition[] = [];
    for (const f of this.active()) {
      if (configuredCheckIds.has(f.checkId) || internalCheckIds.has(f.checkId)) continue;
      this.resolve(f, at, out);
    }
    return this.finish(out, at);
  }

  private tracker(key: string, checkId: string, subject: string): Tracker {
    let t = this.trackers.get(key);
    if (!t) {
      t = { checkId, subject, h: new KeyHysteresis() };
      this.trackers.set(key, t);
    }
    return t;
  }

  private fail(key: string, check: EngineCheck, r: ProbeResult, signal: FaultSignal, at: Date, out: PendingTransition[]): void {
    const t = this.tracker(key, check.id, r.subject);
    const existing = this.opts.faults.get(key);
    const shouldOpen = t.h.fail(at, check, existing !== undefined);
    if (existing) {
      existing.lastSeen = r.time;
      existing.occurrences++;
      existing.evidence = r.evidence;
      existing.detail = signal.detail ?? r.message;
      existing.labels = { ...(r.labels ?? {}) };
      this.regrade(existing, t, signal.severity, check, at, out);
      return;
    }
    if (!shouldOpen) return;
    const def = this.opts.catalogue.get(signal.code);
    const fault: Fault = {
      id: this.newId(),
      key,
      code: signal.code,
      severity: signal.severity,
      title: def?.title ?? { zh: signal.code, en: signal.code },
      detail: signal.detail ?? r.message,
      checkId: check.id,
      subject: r.subject,
      labels: { ...(r.labels ?? {}) },
      evidence: r.evidence,
      firstSeen: (t.h.firstFailAt ?? at).toISOString(),
      lastSeen: r.time,
      occurrences: t.h.fails,
      state: 'open',
      inhibitedBy: [],
    };
    if (t.h.isFlapping(at)) fault.flapping = true;
    this.opts.faults.put(fault);
    out.push(this.transition('opened', fault, at));
  }

  /** Escalation applies at once; de-escalation after `clearAfter` consecutive results at the lower grade. */
  private regrade(f: Fault, t: Tracker, severity: Severity, check: EngineCheck, at: Date, out: PendingTransition[]): void {
    if (severity === f.severity) {
      t.lower = undefined;
      return;
    }
    if (severityRank(severity) < severityRank(f.severity)) {
      t.lower = t.lower?.severity === severity ? { severity, count: t.lower.count + 1 } : { severity, count: 1 };
      if (t.lower.count < check.clearAfter) return;
    }
    t.lower = undefined;
    f.severity = severity;
    out.push(this.transition('updated', f, at, ['severity']));
  }

  private succeed(key: string, t: Tracker, check: EngineCheck, at: Date, out: PendingTransition[]): void {
    const f = this.opts.faults.get(key);
    if (t.h.ok(at, check, f !== undefined) && f) this.resolve(f, at, out);
    if (!this.opts.faults.get(key) && t.h.idle(at)) this.trackers.delete(key);
  }

  private resolve(f: Fault, at: Date, out: PendingTransition[]): void {
    f.state = 'resolved';
    f.resolvedAt = at.toISOString();
    this.opts.faults.remove(f.key);
    out.push(this.transition('resolved', f, at));
  }

  /** Recomputes inhibition over all active faults and snapshots every fault touched by this batch. */
  private finish(out: PendingTransition[], at: Date): PendingTransition[] {
    const inhibitions = computeInhibitions(this.active(), this.opts.inhibitRules);
    const opened = new Set(out.filter((x) => x.kind === 'opened').map((x) => x.fault.key));
    for (const f of this.active()) {
      const by = inhibitions.get(f.key) ?? [];
      if (by.join() === f.inhibitedBy.join()) continue;
      f.inhibitedBy = by;
      if (!opened.has(f.key)) out.push(this.transition('updated', f, at, ['inhibitedBy']));
    }
    // Transitions hold live fault objects until here; freeze them now so later changes don't rewrite history.
    for (const x of out) x.fault = structuredClone(x.fault);
    return out;
  }

  private transition(kind: PendingTransition['kind'], fault: Fault, at: Date, changed?: string[]): PendingTransition {
    return { kind, at: at.toISOString(), detectedAt: fault.firstSeen, ...(changed ? { changed } : {}), fault };
  }
}
