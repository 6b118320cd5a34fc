import type { ProbeResult } from '../checks/result.js';
import type { EngineCheck } from '../faults/engine.js';
import type { FaultSignal } from '../faults/types.js';
import type { StoreHealth } from '../store/types.js';

/** The agent watches its own store like any check; its faults live under this check id. */
export const SELF_CHECK_ID = 'agent';

/** How long STATE_RECOVERED stays visible after a recovery at start-up. */
export const RECOVERY_VISIBLE_MS = 24 * 3600_000;

const SIGNALS: Record<string, FaultSignal> = {
  store_write_failed: { code: 'STORE_WRITE_FAILED', severity: 'critical' },
  state_recovered: { code: 'STATE_RECOVERED', severity: 'minor' },
  outbox_overflow: { code: 'OUTBOX_OVERFLOW', severity: 'major' },
};

export const selfCheck: EngineCheck = {
  id: SELF_CHECK_ID,
  raiseAfter: 1,
  clearAfter: 1,
  rules: (r) => SIGNALS[r.reason] ?? null,
};

/** Turns the store's own report into results for the fault engine. */
export function selfCheckResults(h: StoreHealth, now: Date): ProbeResult[] {
  const time = now.toISOString();
  const base = { time, durationMs: 0 };
  const results: ProbeResult[] = [];
  results.push(
    h.writeError
      ? {
          ...base,
          status: 'fail',
          reason: 'store_write_failed',
          subject: 'state-store',
          message: { zh: `状态保存失败：${h.writeError.message}`, en: `cannot save state: ${h.writeError.message}` },
          evidence: { failures: h.writeError.failures, since: h.writeError.since },
        }
      : { ...base, status: 'ok', reason: 'ok', subject: 'state-store', message: { zh: '状态保存正常', en: 'state is saved' }, evidence: {} },
  );
  // A write interrupted between its two renames leaves only the .bak: restored with nothing lost, nothing moved
  // aside. Only a file that really was damaged (moved aside) is worth a fault.
  const recentRecovery = h.recovered?.movedTo !== undefined && now.getTime() - Date.parse(h.recovered.at) < RECOVERY_VISIBLE_MS;
  results.push(
    recentRecovery
      ? {
          ...base,
          status: 'fail',
          reason: 'state_recovered',
          subject: 'state-file',
          message: { zh: `状态文件损坏已恢复：${h.recovered!.reason}`, en: `state file recovered: ${h.recovered!.reason}` },
          evidence: { movedTo: h.recovered!.movedTo ?? null, restoredFrom: h.recovered!.restoredFrom ?? null, at: h.recovered!.at },
        }
      : { ...base, status: 'ok', reason: 'ok', subject: 'state-file', message: { zh: '状态文件正常', en: 'state file is sound' }, evidence: {} },
  );
  results.push(
    h.overflowing
      ? {
          ...base,
          status: 'fail',
          reason: 'outbox_overflow',
          subject: 'outbox',
          message: { zh: `待发送事件超出上限，已丢弃 ${h.evicted} 条`, en: `outbox over its caps; ${h.evicted} events dropped` },
          evidence: { evicted: h.evicted, depth: h.outboxDepth, bytes: h.outboxBytes },
        }
      : { ...base, status: 'ok', reason: 'ok', subject: 'outbox', message: { zh: '待发送队列正常', en: 'outbox within its caps' }, evidence: { depth: h.outboxDepth } },
  );
  return results;
}
