import { performance } from 'node:perf_hooks';
import type { Probe, ProbeContext } from '../../core/checks/plugin.js';
import { round } from '../shared/format.js';
import { stopwatch } from '../shared/result.js';
import { CLOCK_DEFAULTS, type ClockConfig } from './schema.js';

/** A probe context that may carry a monotonic clock (milliseconds), so tests can simulate a jump. */
export interface ClockProbeContext extends ProbeContext {
  monotonic?: () => number;
}

interface Reading {
  wallMs: number;
  monoMs: number;
}

interface Jump {
  seconds: number;
  /** Wall-clock time the clock should have shown, and what it showed. */
  fromMs: number;
  toMs: number;
  atMonoMs: number;
}

/**
 * Compares how far the wall clock moved between two runs with how far the monotonic clock moved.
 * The difference is a jump of the system clock (someone set it, or a bad sync). Readings live in memory only:
 * after a restart there is nothing trustworthy to compare with. Observes only: it never sets the clock.
 */
export function createClockProbe(config: ClockConfig, ctx: ClockProbeContext): Probe {
  const thresholdMs = (config.thresholdSeconds ?? CLOCK_DEFAULTS.thresholdSeconds) * 1000;
  const holdMs = (config.holdMinutes ?? CLOCK_DEFAULTS.holdMinutes) * 60_000;
  const monotonic = ctx.monotonic ?? (() => performance.now());
  let last: Reading | undefined;
  let jump: Jump | undefined;
  let jumps = 0;

  return {
    async run() {
      const done = stopwatch(ctx.now);
      const now: Reading = { wallMs: ctx.now().getTime(), monoMs: monotonic() };
      let driftSeconds = 0;
      if (last) {
        const driftMs = now.wallMs - last.wallMs - (now.monoMs - last.monoMs);
        driftSeconds = round(driftMs / 1000);
        if (Math.abs(driftMs) > thresholdMs) {
          jump = { seconds: driftSeconds, fromMs: now.wallMs - driftMs, toMs: now.wallMs, atMonoMs: now.monoMs };
          jumps++;
        }
      }
      last = now;
      if (jump && now.monoMs - jump.atMonoMs >= holdMs) jump = undefined;
      const nowIso = new Date(now.wallMs).toISOString();
      if (!jump) {
        return [
          done({
            status: 'ok',
            reason: 'ok',
            subject: 'system-clock',
            evidence: { driftSeconds, jumps, now: nowIso },
            message: { zh: `系统时间连续，未发现跳变（当前 ${nowIso}）`, en: `system clock is continuous, no jump seen (now ${nowIso})` },
          }),
        ];
      }
      const direction = jump.seconds > 0 ? 'forward' : 'backward';
      const from = new Date(jump.fromMs).toISOString();
      const to = new Date(jump.toMs).toISOString();
      const abs = Math.abs(jump.seconds);
      return [
        done({
          status: 'fail',
          reason: 'clock_jumped',
          subject: 'system-clock',
          evidence: {
            jumpSeconds: jump.seconds,
            direction,
            from,
            to,
            minutesSinceJump: round((now.monoMs - jump.atMonoMs) / 60_000),
            driftSeconds,
            jumps,
          },
          message: {
            zh: `系统时间发生跳变：${direction === 'forward' ? '向前' : '向后'}跳了 ${abs} 秒（从 ${from} 变为 ${to}）`,
            en: `system clock jumped ${direction} by ${abs} s (from ${from} to ${to})`,
          },
        }),
      ];
    },
  };
}
