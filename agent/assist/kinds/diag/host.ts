import type { ProbeResult } from '../../../core/checks/result.js';
import type { Fault, FaultTransition } from '../../../core/faults/types.js';
import type { AgentStatus } from '../../../core/runtime/status.js';
import type { CheckHistory } from '../../../core/store/types.js';
import type { InspectionReport } from '../../../report/inspection/build.js';

/** A configured, enabled check. */
export interface DiagCheck {
  id: string;
  type: string;
}

/** A log file tail-log may read: the agent's own ("agent") or a file a logs check follows ("<check id>:<path>"). */
export interface DiagLogSource {
  name: string;
  file: string;
  encoding: 'utf8' | 'gbk';
}

/**
 * What the diagnostic actions need of the running agent, and nothing more: actions can be tested against a real
 * agent through agentDiagHost, and none of them can reach what is not listed here (no free-form command exists).
 */
export interface DiagHost {
  readonly agentId: string;
  /** The audit log (the bundle carries its tail). */
  readonly auditFile: string;
  checks(): DiagCheck[];
  /** Runs the checks now; their results, processed by the fault engine like scheduled ones. */
  runChecks(ids: string[]): Promise<Map<string, ProbeResult[]>>;
  status(): AgentStatus;
  logSources(): Promise<DiagLogSource[]>;
  /** The agent's own log files, the live one first, then the rotated ones (newest first). */
  agentLogs(): Promise<string[]>;
  /** The configuration with every secret described, never shown (see config-view.ts). */
  config(): unknown;
  versions(): Record<string, unknown>;
  history(): Record<string, CheckHistory>;
  faults(): { active: Fault[]; recent: FaultTransition[] };
  /** The monthly inspection report (the current month so far when `month` is left out); throws ReportInputError. */
  report(month?: string): Promise<InspectionReport>;
  now(): Date;
}
