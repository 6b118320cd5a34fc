import type { ProbeResult } from '../checks/result.js';
import type { LoadedCheck } from '../config/load.js';
import type { SiteConfig } from '../config/schema.js';
import type { Fault } from '../faults/types.js';
import { severityRank, type Severity } from '../severity.js';
import type { StoreHealth } from '../store/types.js';
import type { Text } from '../text.js';

export type OverallState = 'ok' | 'degraded' | 'down';

export const OVERALL_TEXT: Record<OverallState, Text> = {
  ok: { zh: '可以正常结算', en: 'Settlement can work normally' },
  degraded: { zh: '部分功能受影响', en: 'Some functions are affected' },
  down: { zh: '无法结算', en: 'Settlement is not possible' },
};

export interface CheckStatus {
  id: string;
  type: string;
  enabled: boolean;
  intervalSeconds: number;
  last?: ProbeResult[];
  lastRunAt?: string;
}

/** The desk connection as the page shows it; 'disabled' until the tunnel is configured. */
export interface TunnelStatus {
  state: 'disabled' | 'connecting' | 'connected' | 'disconnected';
  deskUrl?: string;
  /** Last message from the desk. */
  lastContactAt?: string;
  connectedSince?: string;
  lastError?: string;
  /** Highest sequence number the desk acknowledged. */
  ackedSeq?: number;
}

/** What the local API returns at GET /api/status; the health page and `guardpost status` read it. No secrets. */
export interface AgentStatus {
  agent: { id: string; version: string; profile: string; pid: number; startedAt: string; uptimeSeconds: number; configSource: string; stateDir: string };
  site: SiteConfig;
  overall: OverallState;
  overallText: Text;
  counts: Record<Severity, number>;
  faults: Fault[];
  checks: CheckStatus[];
  store: StoreHealth;
  tunnel: TunnelStatus;
  process: { rssBytes: number; heapUsedBytes: number; cpuUserMs: number; cpuSystemMs: number };
}

/** Critical faults stop settlement; anything else open degrades it. Muted (inhibited) faults count too: they are real. */
export function overallState(faults: Fault[]): OverallState {
  const worst = Math.max(0, ...faults.map((f) => severityRank(f.severity)));
  return worst >= 3 ? 'down' : worst > 0 ? 'degraded' : 'ok';
}

/** Worst first, then oldest. ISO times order as plain strings; localeCompare would load ICU's collator (~3 MB RSS). */
export function sortFaults(faults: Fault[]): Fault[] {
  const byTime = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return [...faults].sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || byTime(a.firstSeen, b.firstSeen));
}

export function checkStatuses(checks: LoadedCheck[], latest: (id: string) => ProbeResult[] | undefined): CheckStatus[] {
  return checks.map((c) => {
    const last = latest(c.id);
    return {
      id: c.id,
      type: c.type,
      enabled: c.enabled,
      intervalSeconds: c.intervalSeconds,
      ...(last ? { last, lastRunAt: last[0]?.time } : {}),
    };
  });
}
