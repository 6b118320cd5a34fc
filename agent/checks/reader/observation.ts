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
  /** There, but another program (the settlement software) holds its port: nothing new can be asked. */
  | { kind: 'in_use'; by: string }
  | { kind: 'absent'; detail: Text }
  | { kind: 'port_error'; detail: Text }
  | { kind: 'service_down'; detail: Text };

/**
 * Whether the reader itself has been observed (serial modes): an exchange since its port was found, by our own probe
 * or by the settlement software through the bridge. Presence alone is no verdict about a reader that may be dead.
 */
export type Watch =
  | { kind: 'observed'; agoMs: number }
  /** Nothing observed yet, and a probe is under way or due. */
  | { kind: 'pending'; forMs: number }
  /** Nothing can be observed now; `why` says what stops it and what would help. */
  | { kind: 'not_observed'; forMs: number; why: Text };

/** One run's view of one reader, from any mode. */
export interface ReaderObservation {
  presence: Presence;
  /** Serial modes. pcsc and usb have none: for them presence (and the ATR) is the observation. */
  watch?: Watch;
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
 * before will be re-learnt when it is back. Never ok without an observation: a reader not observed yet is `pending`,
 * one that cannot be observed is `not_observed` (next to what was last known of it).
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

  const w = obs.watch;
  if (w?.kind === 'pending') {
    return [result('pending', { zh: `读卡器 ${subject} 尚无结论：首次探测尚未完成`, en: `reader ${subject} has no verdict yet: its first probe has not finished` })];
  }
  const h = obs.health;
  const failures: ProbeResult[] = [];
  if (h?.noResponse) {
    failures.push(result('no_response', { zh: `读卡器 ${subject} 无应答`, en: `reader ${subject} does not answer` }));
  } else if (h) {
    if (h.hardwareFault) failures.push(result('hardware_fault', { zh: `读卡器 ${subject} 报告硬件故障`, en: `reader ${subject} reports a hardware fault` }));
    const lw = h.window;
    if (lw.exchanges >= c.linkErrors.minExchanges && lw.rate > c.linkErrors.maxErrorRate) {
      const pct = `${round(lw.rate * 100)}%`;
      failures.push(
        result('link_errors', {
          zh: `读卡器 ${subject} 最近 ${c.linkErrors.windowSeconds} 秒内 ${lw.exchanges} 次通信中 ${lw.failed} 次失败（${pct}）`,
          en: `${lw.failed} of ${lw.exchanges} exchanges with reader ${subject} failed in the last ${c.linkErrors.windowSeconds} s (${pct})`,
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
  if (w?.kind === 'not_observed') {
    const span = spanText(w.forMs);
    failures.push(result('not_observed', { zh: `读卡器 ${subject} 已 ${span.zh}未被观察到：${w.why.zh}`, en: `reader ${subject} not observed for ${span.en}: ${w.why.en}` }));
  }
  if (failures.length > 0) return failures;
  const inUse =
    p.kind === 'in_use' && w?.kind === 'observed'
      ? { zh: `（端口被 ${p.by} 占用；${spanText(w.agoMs).zh}前观察到）`, en: ` (in use by ${p.by}; observed ${spanText(w.agoMs).en} ago)` }
      : { zh: '', en: '' };
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
  const w = obs.watch;
  if (w) {
    e.observed = w.kind === 'observed';
    // Seconds without an observation: what READER_NOT_OBSERVED is judged on.
    e.notObservedSeconds = w.kind === 'observed' ? 0 : Math.floor(w.forMs / 1000);
    e.lastObservedSecondsAgo = w.kind === 'observed' ? Math.floor(w.agoMs / 1000) : null;
  }
  const h = obs.health;
  if (!h) return e;
  return {
    ...e,
    noResponse: h.noResponse,
    hardwareFault: h.hardwareFault,
    firmwareVersion: h.firmwareVersion,
    exchangesInWindow: h.window.exchanges,
    failedInWindow: h.window.failed,
    errorRate: round(h.window.rate, 3),
    noiseInWindow: h.window.noise.sequences,
    noiseBytesInWindow: h.window.noise.bytes,
    appExchanges: h.exchanges.app,
    probeExchanges: h.exchanges.probe,
  };
}

/** "3 分钟" / "3 min": how long, for people; the evidence keeps seconds. */
function spanText(ms: number): Text {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return { zh: `${s} 秒`, en: `${s} s` };
  const m = Math.floor(s / 60);
  if (m < 120) return { zh: `${m} 分钟`, en: `${m} min` };
  const hours = Math.floor(m / 60);
  return { zh: `${hours} 小时`, en: `${hours} h` };
}
