import type { ProbeResult } from '../core/checks/result.js';
import { clockSkewRule, gradeClockSkew } from '../core/faults/clock-skew.js';
import type { EngineCheck } from '../core/faults/engine.js';
import type { FaultSignal } from '../core/faults/types.js';

/**
 * The tunnel's own observations enter the fault engine as pushed results from two sources (AgentOptions.sources):
 * the desk's reachability (DESK_UNREACHABLE, defined in the core catalogue) and the clock skew seen against the
 * desk's time (CLOCK_SKEW: catalogued by the clock check, graded by agent/core/faults/clock-skew.ts). Two sources,
 * because the engine treats subjects a source did not mention in a report as healthy: each report must cover
 * everything its source watches.
 */
export const DESK_SOURCE_ID = 'desk';
export const DESK_CLOCK_SOURCE_ID = 'desk-clock';
export const DESK_PROTOCOL_SOURCE_ID = 'desk-protocol';
export const DESK_IDENTITY_SOURCE_ID = 'desk-identity';

export interface UnreachableGrades {
  minorAfterMs: number;
  majorAfterMs: number;
}

export function gradeUnreachable(seconds: number, g: UnreachableGrades): FaultSignal | null {
  const ms = seconds * 1000;
  if (ms >= g.majorAfterMs) return { code: 'DESK_UNREACHABLE', severity: 'major' };
  if (ms >= g.minorAfterMs) return { code: 'DESK_UNREACHABLE', severity: 'minor' };
  return null;
}

export function deskSource(grades: UnreachableGrades): EngineCheck {
  return {
    id: DESK_SOURCE_ID,
    raiseAfter: 1,
    clearAfter: 1,
    rules: (r) => (r.reason === 'desk_unreachable' ? gradeUnreachable(Number(r.evidence.unreachableSeconds ?? 0), grades) : null),
  };
}

export const deskClockSource: EngineCheck = {
  id: DESK_CLOCK_SOURCE_ID,
  raiseAfter: 1,
  clearAfter: 1,
  // Graded as every reporter of a skew grades it; a failing report without a size still counts as major.
  rules: clockSkewRule,
};

/** A desk whose messages could cost the agent data or memory: raised at once, cleared by one clean session. */
export const deskProtocolSource: EngineCheck = {
  id: DESK_PROTOCOL_SOURCE_ID,
  raiseAfter: 1,
  clearAfter: 1,
  rules: (r) => (r.reason === 'desk_protocol_violation' ? { code: 'DESK_PROTOCOL_VIOLATION', severity: 'major' } : null),
};

/** The desk refused this agent's certificate as revoked (close 4010): raised at once, cleared by an accepted session. */
export const deskIdentitySource: EngineCheck = {
  id: DESK_IDENTITY_SOURCE_ID,
  raiseAfter: 1,
  clearAfter: 1,
  rules: (r) => (r.reason === 'agent_revoked' ? { code: 'AGENT_REVOKED', severity: 'major' } : null),
};

export function revokedResult(now: Date, deskUrl: string, reason: string): ProbeResult {
  return {
    ...base(now),
    status: 'fail',
    reason: 'agent_revoked',
    message: { zh: `服务台已吊销本终端的证书：${reason}`, en: `the desk revoked this terminal's certificate: ${reason}` },
    labels: { desk: deskUrl },
    evidence: { closeCode: 4010, reason: reason.slice(0, 500) },
  };
}

export function identityAcceptedResult(now: Date, deskUrl: string): ProbeResult {
  return { ...base(now), status: 'ok', reason: 'ok', message: { zh: '服务台接受本终端的证书', en: "the desk accepts this terminal's certificate" }, labels: { desk: deskUrl }, evidence: {} };
}

export function protocolViolationResult(now: Date, deskUrl: string, closeCode: number, reason: string): ProbeResult {
  return {
    ...base(now),
    status: 'fail',
    reason: 'desk_protocol_violation',
    message: { zh: `服务台违反协议（关闭码 ${closeCode}）：${reason}`, en: `the desk broke the protocol (close ${closeCode}): ${reason}` },
    labels: { desk: deskUrl },
    evidence: { closeCode, reason: reason.slice(0, 500) },
  };
}

export function protocolCleanResult(now: Date, deskUrl: string): ProbeResult {
  return { ...base(now), status: 'ok', reason: 'ok', message: { zh: '服务台遵守协议', en: 'the desk keeps to the protocol' }, labels: { desk: deskUrl }, evidence: {} };
}

const base = (now: Date) => ({ time: now.toISOString(), durationMs: 0, subject: 'desk' });

export function reachableResult(now: Date, deskUrl: string): ProbeResult {
  return {
    ...base(now),
    status: 'ok',
    reason: 'ok',
    message: { zh: '服务台连接正常', en: 'connected to the desk' },
    labels: { desk: deskUrl },
    evidence: {},
  };
}

export function unreachableResult(now: Date, since: Date, deskUrl: string, lastError: string): ProbeResult {
  const seconds = Math.max(0, Math.round((now.getTime() - since.getTime()) / 1000));
  const minutes = Math.round(seconds / 60);
  return {
    ...base(now),
    status: 'fail',
    reason: 'desk_unreachable',
    message: {
      zh: `已 ${minutes} 分钟无法连接服务台：${lastError}`,
      en: `desk unreachable for ${minutes} min: ${lastError}`,
    },
    labels: { desk: deskUrl },
    evidence: { unreachableSeconds: seconds, since: since.toISOString(), lastError: lastError.slice(0, 500) },
  };
}

/** skewSeconds = local clock − desk clock (positive: this terminal is ahead). */
export function skewResult(now: Date, skewSeconds: number, rttMs: number): ProbeResult {
  const rounded = Math.round(skewSeconds * 10) / 10;
  const failing = gradeClockSkew(rounded) !== null;
  return {
    ...base(now),
    status: failing ? 'fail' : 'ok',
    reason: failing ? 'clock_skew' : 'ok',
    message: failing
      ? { zh: `本机时间与服务台相差 ${rounded} 秒`, en: `local clock differs from the desk by ${rounded} s` }
      : { zh: '本机时间与服务台一致', en: 'local clock agrees with the desk' },
    labels: { reference: 'desk' },
    evidence: { skewSeconds: rounded, reference: 'desk', rttMs: Math.round(rttMs) },
  };
}
