import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Fault, FaultTransition, TransitionKind } from '../../faults/types.js';
import type { ProbeResult } from '../../checks/result.js';
import type { Severity } from '../../severity.js';

/** Test and benchmark helpers: small but complete faults, transitions and results. */

export function makeFault(id: string, severity: Severity = 'major', over: Partial<Fault> = {}): Fault {
  return {
    id,
    key: `key-${id}`,
    code: 'DISK_FULL',
    severity,
    title: { zh: '磁盘空间不足', en: 'disk almost full' },
    detail: { zh: '剩余 1%', en: '1% free' },
    checkId: 'disk',
    subject: '/',
    labels: { mount: '/' },
    evidence: { freePercent: 1 },
    firstSeen: '2025-01-01T00:00:00.000Z',
    lastSeen: '2025-01-01T00:00:00.000Z',
    occurrences: 1,
    state: 'open',
    inhibitedBy: [],
    ...over,
  };
}

export function makeTransition(
  kind: TransitionKind,
  faultId: string,
  severity: Severity = 'major',
  over: Partial<Omit<FaultTransition, 'seq' | 'fault'>> = {},
): Omit<FaultTransition, 'seq'> {
  return { kind, at: '2025-01-01T00:00:00.000Z', detectedAt: '2025-01-01T00:00:00.000Z', fault: makeFault(faultId, severity), ...over };
}

/** The same, with a seq: for the pure outbox functions. */
export function seqd(seq: number, t: Omit<FaultTransition, 'seq'>): FaultTransition {
  return { seq, ...t };
}

export function makeResult(status: 'ok' | 'fail', over: Partial<ProbeResult> = {}): ProbeResult {
  return {
    status,
    reason: status === 'ok' ? 'ok' : 'disk_full',
    message: { zh: status === 'ok' ? '正常' : '磁盘已满', en: status === 'ok' ? 'ok' : 'disk full' },
    subject: '/',
    evidence: { freePercent: status === 'ok' ? 50 : 1 },
    time: '2025-01-01T00:00:00.000Z',
    durationMs: 3,
    ...over,
  };
}

/** A fresh directory under the OS temp dir, and its removal. */
export async function tempDir(prefix = 'guardpost-store-'): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Polls until `cond` holds (tests of timers and retries, without fixed sleeps). */
export async function waitFor(cond: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
