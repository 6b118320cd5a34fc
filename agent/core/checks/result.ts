import type { Text } from '../text.js';

export type ProbeStatus = 'ok' | 'fail';

/** Evidence is what a probe measured: numbers first, short strings where a number cannot say it. */
export type EvidenceValue = number | string | boolean | null;
export type Evidence = Record<string, EvidenceValue>;

/**
 * The one result shape every probe of every check returns (blackbox_exporter style).
 * A probe only observes; whether that is a fault, and how bad, is decided by the check's fault rules and the engine.
 */
export interface ProbeResult {
  status: ProbeStatus;
  /** 'ok', or a code from the check's closed reason list (or a framework reason: timeout, crashed, probe_error, busy). */
  reason: string;
  message: Text;
  /** What was checked: a mount point, a file, a process name, an endpoint. Part of the fault key. */
  subject: string;
  /** Extra labels for inhibition matching (e.g. mount, host). Never secrets. */
  labels?: Record<string, string>;
  evidence: Evidence;
  /** Duration of each phase in milliseconds, in the order they ran (empty when the probe has no phases). */
  phases?: Record<string, number>;
  /** ISO-8601 time the probe finished. */
  time: string;
  durationMs: number;
}

/** Reasons the framework itself may report for any check. Part of the closed reason list (docs/faults.md). */
export const FRAMEWORK_REASONS = {
  timeout: { zh: '检查超时，已放弃本次运行', en: 'check run exceeded its timeout and was abandoned' },
  crashed: { zh: '隔离进程崩溃', en: 'the isolated check process crashed' },
  probe_error: { zh: '检查程序内部错误', en: 'the probe threw an unexpected error' },
  busy: { zh: '上一次运行尚未结束', en: 'the previous run of this check has not finished' },
} as const satisfies Record<string, Text>;

export type FrameworkReason = keyof typeof FRAMEWORK_REASONS;
