// Turns the faults' change feed into messages in the outbox: the first notice (routed, silenced or unrouted), the
// escalation steps' timers, the 恢复 resolved notice, and the grouping of one site's notices into one message.
// Every decision is a row in notify_plan keyed by (occurrence, step, channel), written in the transaction that
// consumes the change or fires the timer: nothing is planned twice and nothing is lost to a kill -9.
import type { Text } from '../../agent/core/text.js';
import type { NotifyFaultRow, NotifyStore, PlanInsert, PlanRow } from '../store/notify-types.js';
import type { NotifyConfig } from './notify-config.js';
import { isSilenced, routeFault } from './routing.js';
import type { NotifyFault, NotifyMessage } from './types.js';

/** Step of the resolved notice; escalation steps are 1, 2, … */
export const RESOLVED_STEP = 1000;
/** Channel of a step's timer or verdict row, before (or instead of) channels. */
export const ANY_CHANNEL = '*';

const BATCH = 500;
const GRADE_ORDER = { critical: 0, major: 1, minor: 2 } as const;

export interface PlannerHooks {
  /** A new occurrence was planned (tickets open one per occurrence). */
  onNew?(fault: NotifyFaultRow, at: string): void;
  /** An occurrence resolved. */
  onResolved?(fault: NotifyFaultRow, at: string): void;
}

export interface PlannerOptions {
  store: NotifyStore;
  /** Without a notify section nothing is sent, but the feed is still consumed (and the hooks called). */
  config: NotifyConfig | undefined;
  now: () => number;
  /** The operator's action for a fault code, from the fault catalogue. */
  actionOf?: (code: string) => Text | undefined;
  hooks?: PlannerHooks;
}

export interface TickCounts {
  changes: number;
  fired: number;
  messages: number;
}

export class NotifyPlanner {
  constructor(private readonly o: PlannerOptions) {}

  /** One planning pass: consume the feed, fire due timers, queue due groups. */
  tick(): TickCounts {
    const now = this.o.now();
    let changes = 0;
    for (;;) {
      const n = this.o.store.transaction(() => this.planChanges(now));
      changes += n;
      if (n < BATCH) break;
    }
    const fired = this.o.store.transaction(() => this.fireTimers(now));
    const messages = this.o.store.transaction(() => this.queueGroups(now));
    return { changes, fired, messages };
  }

  notifyFault(row: NotifyFaultRow): NotifyFault {
    const action = this.o.actionOf?.(row.code);
    return {
      faultId: row.id,
      code: row.code,
      grade: row.severity,
      titleZh: row.titleZh,
      titleEn: row.titleEn,
      agentId: row.agentId,
      institution: row.siteCode,
      ...(row.siteName ? { institutionName: row.siteName } : {}),
      since: row.detectedAt,
      ...(action ? { actionZh: action.zh, actionEn: action.en } : {}),
    };
  }

  private planChanges(now: number): number {
    const store = this.o.store;
    const rows = store.changes(BATCH);
    const at = new Date(now).toISOString();
    for (const row of rows) {
      if (row.state === 'resolved') this.planResolved(row, now, at);
      else this.planOpen(row, now, at);
    }
    if (rows.length) store.consumeChanges(rows.at(-1)!.changeId);
    return rows.length;
  }

  private planOpen(row: NotifyFaultRow, now: number, at: string): void {
    const store = this.o.store;
    const plans = store.plansOf(row.agentId, row.id);
    // Acknowledged: the escalation chain stops here.
    if (row.state === 'acknowledged') for (const p of plans) if (p.state === 'timer') store.setPlanState(p.agentId, p.faultId, p.step, p.channel, 'stopped', now);
    if (plans.some((p) => p.step === 0)) return;
    this.o.hooks?.onNew?.(row, at);
    const config = this.o.config;
    if (!config) return;
    const fault = this.notifyFault(row);
    const base = { agentId: row.agentId, faultId: row.id, siteCode: row.siteCode, dueAt: now };
    const inserts: PlanInsert[] = [];
    const channels = routeFault(config.routing, fault, new Date(now));
    if (isSilenced(config.routing, fault, new Date(now))) inserts.push({ ...base, step: 0, channel: ANY_CHANNEL, state: 'silenced' });
    else if (!channels.length) inserts.push({ ...base, step: 0, channel: ANY_CHANNEL, state: 'unrouted' });
    else for (const channel of channels) inserts.push({ ...base, step: 0, channel, state: 'waiting', dueAt: now + config.groupSeconds * 1000 });
    if (row.state === 'open') {
      const received = Date.parse(row.receivedAt);
      for (const s of config.escalation) {
        if (s.grades.includes(row.severity)) inserts.push({ ...base, step: s.step, channel: ANY_CHANNEL, state: 'timer', dueAt: received + s.afterMinutes * 60_000 });
      }
    }
    store.insertPlans(inserts, now);
  }

  private planResolved(row: NotifyFaultRow, now: number, at: string): void {
    const store = this.o.store;
    const plans = store.plansOf(row.agentId, row.id);
    this.o.hooks?.onResolved?.(row, at);
    let cancelledFirst = false;
    for (const p of plans) {
      if (p.state === 'timer') store.setPlanState(p.agentId, p.faultId, p.step, p.channel, 'stopped', now);
      if (p.state === 'waiting') {
        store.setPlanState(p.agentId, p.faultId, p.step, p.channel, 'cancelled', now);
        if (p.step === 0) cancelledFirst = true;
      }
    }
    const config = this.o.config;
    // Resolved inside its grouping window: nobody was told, so nobody needs telling it is over.
    if (!config?.resolved || cancelledFirst || plans.some((p) => p.step === RESOLVED_STEP)) return;
    const told = [...new Set(plans.filter((p) => p.state === 'queued').map((p) => p.channel))];
    if (!told.length) return;
    const base = { agentId: row.agentId, faultId: row.id, siteCode: row.siteCode, step: RESOLVED_STEP };
    if (isSilenced(config.routing, this.notifyFault(row), new Date(now))) {
      store.insertPlans([{ ...base, channel: ANY_CHANNEL, state: 'silenced', dueAt: now }], now);
      return;
    }
    store.insertPlans(told.map((channel) => ({ ...base, channel, state: 'waiting' as const, dueAt: now + config.groupSeconds * 1000 })), now);
  }

  private fireTimers(now: number): number {
    const store = this.o.store;
    const timers = store.duePlans('timer', now, BATCH);
    for (const t of timers) {
      const row = store.fault(t.agentId, t.faultId);
      const step = this.o.config?.escalation.find((s) => s.step === t.step);
      if (!row || row.state !== 'open' || !step) {
        store.setPlanState(t.agentId, t.faultId, t.step, t.channel, 'stopped', now);
        continue;
      }
      if (isSilenced(this.o.config!.routing, this.notifyFault(row), new Date(now))) {
        store.setPlanState(t.agentId, t.faultId, t.step, t.channel, 'silenced', now);
        continue;
      }
      store.setPlanState(t.agentId, t.faultId, t.step, t.channel, 'fired', now);
      const base = { agentId: t.agentId, faultId: t.faultId, siteCode: row.siteCode, step: t.step, state: 'waiting' as const, dueAt: now };
      store.insertPlans(step.channels.map((channel) => ({ ...base, channel })), now);
    }
    return timers.length;
  }

  private queueGroups(now: number): number {
    const store = this.o.store;
    const groups = new Map<string, PlanRow[]>();
    for (const p of store.dueGroups(now, 5_000)) {
      const key = `${p.channel}\u0000${p.siteCode}`;
      groups.set(key, [...(groups.get(key) ?? []), p]);
    }
    for (const rows of groups.values()) {
      const byFault = new Map<string, NotifyFault>();
      for (const p of rows.sort((a, b) => a.step - b.step)) {
        const row = store.fault(p.agentId, p.faultId);
        if (!row) {
          store.setPlanState(p.agentId, p.faultId, p.step, p.channel, 'cancelled', now);
          continue;
        }
        const fault = this.notifyFault(row);
        if (p.step === RESOLVED_STEP) fault.resolved = true;
        else if (p.step > 0) fault.escalation = { step: p.step, afterMinutes: this.o.config?.escalation.find((s) => s.step === p.step)?.afterMinutes ?? 0 };
        byFault.set(`${p.agentId}\u0000${p.faultId}`, fault); // the latest step of a fault speaks for it
      }
      const faults = [...byFault.values()].sort((a, b) => GRADE_ORDER[a.grade] - GRADE_ORDER[b.grade] || a.since.localeCompare(b.since));
      if (!faults.length) continue;
      const consoleBaseUrl = this.o.config?.consoleBaseUrl;
      const message: NotifyMessage = { faults, ...(consoleBaseUrl ? { consoleBaseUrl } : {}) };
      store.enqueue(rows[0]!.channel, JSON.stringify(message), rows.filter((p) => byFault.has(`${p.agentId}\u0000${p.faultId}`)), now);
    }
    return groups.size;
  }
}
