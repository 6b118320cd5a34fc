import type { CheckStatus, TunnelStatus } from '../core/runtime/status.js';
import type { FaultCatalogue } from '../core/faults/catalogue.js';
import type { Fault, FaultTransition } from '../core/faults/types.js';
import type { Text } from '../core/text.js';
import type { CheckView, Delivery, FaultView, HistoryEntry } from './schemas/views.js';

/** The page's views of the core's data: pure functions, so the rules are tested without a server. */

const FALLBACK_OPERATOR: Text = { zh: '请致电服务热线。', en: 'Call the hotline.' };

/** The seq of the 'opened' transition of each fault occurrence (by fault id), from the outbox and the recent ring. */
export function openedSeqs(outbox: readonly FaultTransition[], recent: readonly FaultTransition[]): Map<string, number> {
  const opened = new Map<string, number>();
  for (const list of [recent, outbox]) for (const t of list) if (t.kind === 'opened') opened.set(t.fault.id, t.seq);
  return opened;
}

/**
 * Has the desk got this transition? Received when its seq is at or below the desk's cumulative ack (the tunnel's
 * ackedSeq). A seq we no longer know (opened before this start, gone from the outbox) was acked in an earlier run:
 * only an ack removes outbox entries, and an eviction is itself raised as OUTBOX_OVERFLOW. Anything else is
 * 'waiting': the page never claims more than it knows.
 */
export function transitionDelivery(seq: number | undefined, tunnel: TunnelStatus): Exclude<Delivery, 'acknowledged'> {
  if (tunnel.state === 'disabled') return 'no-desk';
  if (seq === undefined) return 'received';
  return tunnel.ackedSeq !== undefined && seq <= tunnel.ackedSeq ? 'received' : 'waiting';
}

export function faultViews(faults: Fault[], catalogue: Pick<FaultCatalogue, 'get'>, tunnel: TunnelStatus, opened: ReadonlyMap<string, number>): FaultView[] {
  return faults.map((f) => {
    const openedSeq = opened.get(f.id);
    const delivery: Delivery = f.state === 'acknowledged' ? 'acknowledged' : transitionDelivery(openedSeq, tunnel);
    return { ...f, operator: catalogue.get(f.code)?.operator ?? FALLBACK_OPERATOR, delivery, ...(openedSeq !== undefined ? { openedSeq } : {}) };
  });
}

/** The newest `limit` transitions, from the outbox and the ring together (one entry per seq), newest first. */
export function historyEntries(
  outbox: readonly FaultTransition[],
  recent: readonly FaultTransition[],
  tunnel: TunnelStatus,
  limit: number,
): HistoryEntry[] {
  const bySeq = new Map<number, FaultTransition>();
  for (const t of recent) bySeq.set(t.seq, t);
  // The outbox is usually the longer list; only its tail can be among the newest.
  for (const t of outbox.slice(-limit)) bySeq.set(t.seq, t);
  return [...bySeq.values()]
    .sort((a, b) => b.seq - a.seq)
    .slice(0, limit)
    .map((t) => ({
      seq: t.seq,
      kind: t.kind,
      at: t.at,
      detectedAt: t.detectedAt,
      code: t.fault.code,
      severity: t.fault.severity,
      title: t.fault.title,
      subject: t.fault.subject,
      checkId: t.fault.checkId,
      ...(t.changed ? { changed: t.changed } : {}),
      delivery: transitionDelivery(t.seq, tunnel),
    }));
}

export function checkViews(checks: CheckStatus[], titles: ReadonlyMap<string, Text>): CheckView[] {
  return checks.map((c) => {
    const results = c.last ?? [];
    const state = results.length === 0 ? 'pending' : results.every((r) => r.status === 'ok') ? 'ok' : 'fail';
    return {
      id: c.id,
      type: c.type,
      title: titles.get(c.id) ?? { zh: c.id, en: c.id },
      enabled: c.enabled,
      intervalSeconds: c.intervalSeconds,
      state,
      ...(c.lastRunAt ? { lastRunAt: c.lastRunAt } : {}),
      results,
    };
  });
}
