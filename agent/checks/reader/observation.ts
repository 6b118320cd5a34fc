import type { Evidence, ProbeResult } from '../../core/checks/result.js';
import type { Text } from '../../core/text.js';
import { round } from '../shared/format.js';
import type { ResultBody } from '../shared/result.js';
import type { ReaderReason } from './faults.js';
import type { HealthView } from './reader-health.js';
import type { ResolvedReaderConfig } from './schema.js';

/** Whether the reader is there, as the mode can tell. */
export type Presence =
  | { kind: 'present' }
  /** There, but the settlement software holds it: a normal state; nothing new could be asked. */
  | { kind: 'in_use'; by: string }
  | { kind: 'absent'; detail: Text }
  | { kind: 'port_error'; detail: Text }
  | { kind: 'service_down'; detail: Text };

/** One run's view of one reader, from any mode. */
export interface ReaderObservation {
  presence: Presence;
  /** Exchange-derived state (serial modes); absent for pcsc and usb. */
  health?: HealthView;
  card?: { present: boolean | null; atr: string | null };
  /** Running count of card insertions the monitor has seen (for the per-day count). */
  cardInsertions: number;
  /** Mode-specific facts, e.g. usbPort, ptyPath, latency. */
  evidence: Evidence;
}

/**
 * Turns an observation into results: one failing result per condition that holds, or one ok result. A reader that
 * is missing (or whose service is down) reports only that: nothing else about it can be known, and what was known
 * before will be re-learnt when it is back.
 */
export function readerResults(
  obs: ReaderObservation,
  c: ResolvedReaderConfig,
  subject: string,
  cardReadsToday: number,
  done: (body: ResultBody) => ProbeResult,
): ProbeResult[] {
  const labels = { mode: c.mode, reader: subject };
  const evidence: Evidence = { mode: c.mode, ...healthEvidence(obs), cardReadsToday, ...obs.evidence };
  const result = (reason: ReaderReason | 'ok', message: Text): ProbeResult =>
    done({ status: reason === 'ok' ? 'ok' : 'fail', reason, subject, labels, evidence, message });

  const p = obs.presence;
  if (p.kind === 'service_down') return [result('pcsc_service_down', p.detail)];
  if (p.kind === 'absent') return [result('not_found', p.detail)];
  if (p.kind === 'port_error') return [result('port_error', p.detail)];

  const h = obs.health;
  const failures: ProbeResult[] = [];
  if (h?.noResponse) {
    failures.push(result('no_response', { zh: `读卡器 ${subject} 无应答`, en: `reader ${subject} does not answer` }));
  } else if (h) {
    if (h.hardwareFault) failures.push(result('hardware_fault', { zh: `读卡器 ${subject} 报告硬件故障`, en: `reader ${subject} reports a hardware fault` }));
    const w = h.window;
    if (w.exchanges >= c.linkErrors.minExchanges && w.rate > c.linkErrors.maxErrorRate) {
      const pct = `${round(w.rate * 100)}%`;
      failures.push(
        result('link_errors', {
          zh: `读卡器 ${subject} 最近 ${c.linkErrors.windowSeconds} 秒内 ${w.exchanges} 次通信中 ${w.errors} 次出错（${pct}）`,
          en: `${w.errors} of ${w.exchanges} exchanges with reader ${subject} failed in the last ${c.linkErrors.windowSeconds} s (${pct})`,
        }),
      );
    }
  }
  const version = h?.firmwareVersion ?? null;
  if (version !== null && c.allowedFirmware.length > 0 && !c.allowedFirmware.includes(version) && !h?.noResponse) {
    failures.push(
      result('firmware_mismatch', {
        zh: `读卡器 ${subject} 固件版本 ${version} 不在允许列表（${c.allowedFirmware.join('、')}）中`,
        en: `reader ${subject} runs firmware ${version}, not one of ${c.allowedFirmware.join(', ')}`,
      }),
    );
  }
  if (failures.length > 0) return failures;
  const inUse = p.kind === 'in_use' ? { zh: `（结算软件 ${p.by} 正在使用）`, en: ` (in use by ${p.by})` } : { zh: '', en: '' };
  return [result('ok', { zh: `读卡器 ${subject} 正常${inUse.zh}`, en: `reader ${subject} is fine${inUse.en}` })];
}

function healthEvidence(obs: ReaderObservation): Evidence {
  const e: Evidence = {
    present: obs.presence.kind === 'present' || obs.presence.kind === 'in_use',
    inUse: obs.presence.kind === 'in_use',
    ...(obs.presence.kind === 'in_use' ? { inUseBy: obs.presence.by } : {}),
    cardPresent: obs.card?.present ?? obs.health?.cardPresent ?? null,
  };
  if (obs.card?.atr) e.atr = obs.card.atr;
  const h = obs.health;
  if (!h) return e;
  return {
    ...e,
    noResponse: h.noResponse,
    hardwareFault: h.hardwareFault,
    firmwareVersion: h.firmwareVersion,
    exchangesInWindow: h.window.exchanges,
    errorsInWindow: h.window.errors,
    errorRate: round(h.window.rate, 3),
    appExchanges: h.exchanges.app,
    probeExchanges: h.exchanges.probe,
  };
}
