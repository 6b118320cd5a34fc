/**
 * The snapshot (GET /api/snapshot, every SSE `state` event) as the page reads it: only the fields it uses. Types
 * only, no DOM, so the server's type-check can prove its Snapshot fits this (agent/web/static/page-assets.test.ts).
 */

export type Lang = 'zh' | 'en';
export interface Text {
  zh: string;
  en: string;
}

export type Severity = 'critical' | 'major' | 'minor';
export type Delivery = 'no-desk' | 'waiting' | 'received' | 'acknowledged';
export type CheckState = 'ok' | 'fail' | 'pending';
export type TunnelState = 'disabled' | 'connecting' | 'connected' | 'disconnected';
export type TransitionKind = 'opened' | 'updated' | 'acknowledged' | 'resolved';
export type Capability = 'view' | 'terminal' | 'files' | 'relay';

export interface FaultView {
  key: string;
  code: string;
  severity: Severity;
  title: Text;
  detail: Text;
  operator: Text;
  checkId: string;
  subject: string;
  firstSeen: string;
  occurrences: number;
  flapping?: boolean;
  inhibitedBy: string[];
  delivery: Delivery;
  acknowledgedBy?: string;
  acknowledgedAt?: string;
  acknowledgedNote?: string;
}

export interface ProbeResult {
  status: 'ok' | 'fail';
  subject: string;
  message: Text;
  phases?: Record<string, number>;
  durationMs: number;
}

export interface CheckView {
  id: string;
  title: Text;
  intervalSeconds: number;
  state: CheckState;
  lastRunAt?: string;
  results: ProbeResult[];
}

export interface HistoryEntry {
  seq: number;
  kind: TransitionKind;
  at: string;
  code: string;
  severity: Severity;
  title: Text;
  subject: string;
  checkId: string;
  delivery: Delivery;
}

export interface ConsentSession {
  id: string;
  engineer: string;
  organisation?: string;
  ticket?: string;
  purpose: Text;
  capabilities: Capability[];
  state: 'pending' | 'active' | 'denied' | 'expired' | 'withdrawn' | 'ended';
  expiresAt: string;
  maxMinutes: number;
  decidedAt?: string;
  endsAt?: string;
}

export interface ManualRun {
  running: boolean;
  startedAt?: string;
  finishedAt?: string;
  error?: string;
}

export interface Snapshot {
  instance: string;
  generatedAt: string;
  status: {
    overall: 'ok' | 'degraded' | 'down';
    overallText: Text;
    counts: Record<Severity, number>;
    agent: { id: string; version: string; pid: number; startedAt: string; uptimeSeconds: number };
    site: { fixmedins_code: string; fixmedins_name: string; mdtrtarea_admvs: string; terminalId: string };
    tunnel: { state: TunnelState; lastContactAt?: string; lastError?: string };
    store: { outboxDepth: number; oldestPendingAt?: string };
    process: { rssBytes: number };
  };
  faults: FaultView[];
  checks: CheckView[];
  history: HistoryEntry[];
  consent: { live: ConsentSession | null };
  run: ManualRun;
}

/** What POST /api/checks/run answers (202). */
export interface RunAccepted {
  run?: ManualRun;
}
