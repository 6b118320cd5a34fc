import { SITE } from './harness.js';

/** Agent frames for hostile or scripted peers (raw-agent.ts), valid unless a test changes them. */

export const helloFrame = (agentId: string, over: Record<string, unknown> = {}) => ({
  type: 'hello',
  protocol: 1,
  agentId,
  agentVersion: 'raw',
  capabilities: [],
  lastAckedSeq: 0,
  seq: 0,
  site: SITE,
  profile: 'terminal',
  sentAt: new Date().toISOString(),
  ...over,
});

export const snapshotFrame = (faults: unknown[] = []) => ({ type: 'snapshot', asOfSeq: 0, at: new Date().toISOString(), faults });

export function faultBody(id: string, over: Record<string, unknown> = {}) {
  const now = new Date().toISOString();
  return {
    id,
    key: `key-${id}`,
    code: 'TEST_FAULT',
    severity: 'major',
    title: { zh: '测试', en: 'test' },
    detail: { zh: '', en: '' },
    checkId: 'probe',
    subject: `s-${id}`,
    labels: {},
    evidence: {},
    firstSeen: now,
    lastSeen: now,
    occurrences: 1,
    state: 'open',
    inhibitedBy: [],
    ...over,
  };
}

/** An 'opened' transition of a new occurrence `occ-<seq>` (or of the fault given). */
export const eventOf = (seq: number, fault: Record<string, unknown> = faultBody(`occ-${seq}`), kind = 'opened') => ({
  seq,
  kind,
  at: new Date().toISOString(),
  detectedAt: new Date().toISOString(),
  fault,
});

/** An events frame for seqs from..to (inclusive). */
export const eventsFrame = (from: number, to: number, make: (seq: number) => unknown = (s) => eventOf(s)) => ({
  type: 'events',
  events: Array.from({ length: to - from + 1 }, (_, i) => make(from + i)),
});

export const heartbeatFrame = (critical: unknown[] = []) => ({
  type: 'heartbeat',
  at: new Date().toISOString(),
  health: {
    rssBytes: 1,
    heapUsedBytes: 1,
    cpuPercent: 0,
    uptimeSeconds: 1,
    outboxDepth: 0,
    outboxBytes: 0,
    oldestUndeliveredAgeSeconds: null,
    evicted: 0,
    storeWriteError: false,
    checks: { total: 1, failing: 0 },
    faults: { critical: 0, major: 0, minor: 0 },
  },
  critical,
});
