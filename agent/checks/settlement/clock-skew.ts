import { performance } from 'node:perf_hooks';
import type { ProbeResult } from '../../core/checks/result.js';
import { CLOCK_SKEW_MAJOR_SECONDS, gradeClockSkew } from '../../core/faults/clock-skew.js';
import { round } from '../shared/format.js';

export const CLOCK_SUBJECT = 'system-clock';
/** A measured skew stays reported this long while no endpoint gives a Date header (e.g. the platform is down). */
const HOLD_MS = 30 * 60_000;

export interface SkewSample {
  /** Endpoint name and what it is, for the evidence. */
  reference: string;
  /** The server's Date header. */
  date: string;
  /** Local wall-clock time (ms) when the answer's first byte arrived. */
  localMs: number;
}

/**
 * Local clock minus the server's: positive when this machine is ahead. The Date header has whole seconds and is
 * stamped about when the answer starts, so this is good to a second or so: far below the 60 s line.
 */
export function skewSeconds(date: string, localMs: number): number | null {
  const server = Date.parse(date);
  if (!Number.isFinite(server)) return null;
  return round((localMs - server) / 1000, 1);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : round((s[mid - 1]! + s[mid]!) / 2, 1);
}

/**
 * CLOCK_SKEW as seen against the platform's HTTP Date headers (graded by agent/core/faults/clock-skew.ts).
 * Reports only: Guardpost never sets the clock. With several references the median counts, so one server with a
 * wrong clock cannot raise it alone when others agree with this machine.
 */
export class ClockSkewTracker {
  private last: { result: Omit<ProbeResult, 'time'>; atMono: number } | undefined;

  result(samples: SkewSample[], now: Date): ProbeResult | null {
    const measured = samples.flatMap((s) => {
      const skew = skewSeconds(s.date, s.localMs);
      return skew === null ? [] : [{ ...s, skew }];
    });
    if (measured.length === 0) {
      // No reference this run: keep the last reading for a while rather than let an open CLOCK_SKEW resolve unseen.
      if (!this.last || performance.now() - this.last.atMono > HOLD_MS) return null;
      return { ...this.last.result, evidence: { ...this.last.result.evidence, held: true }, time: now.toISOString() };
    }
    const skew = median(measured.map((m) => m.skew));
    const ref = measured.reduce((best, m) => (Math.abs(m.skew - skew) < Math.abs(best.skew - skew) ? m : best));
    const grade = gradeClockSkew(skew);
    const abs = Math.abs(skew);
    const dir = skew > 0 ? { zh: '快', en: 'ahead of' } : { zh: '慢', en: 'behind' };
    const result: Omit<ProbeResult, 'time'> = {
      status: grade ? 'fail' : 'ok',
      reason: grade ? 'clock_skew' : 'ok',
      subject: CLOCK_SUBJECT,
      labels: { reference: 'platform-date' },
      evidence: { skewSeconds: skew, reference: ref.reference, serverDate: ref.date, references: measured.length, measuredAt: now.toISOString() },
      message: grade
        ? {
            zh: `本机时间比医保平台（${ref.reference}）${dir.zh} ${abs} 秒，超过 ${CLOCK_SKEW_MAJOR_SECONDS} 秒；证书校验和签名报文可能失败（本程序不会修改时间）`,
            en: `local clock is ${abs} s ${dir.en} the platform (${ref.reference}), more than ${CLOCK_SKEW_MAJOR_SECONDS} s; certificate checks and signed messages may fail (Guardpost never changes the clock)`,
          }
        : { zh: `本机时间与医保平台相差 ${abs} 秒，正常`, en: `local clock within ${abs} s of the platform` },
      durationMs: 0,
    };
    this.last = { result, atMono: performance.now() };
    return { ...result, time: now.toISOString() };
  }
}
