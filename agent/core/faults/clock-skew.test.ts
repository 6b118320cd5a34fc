import { describe, expect, it } from 'vitest';
import type { ProbeResult } from '../checks/result.js';
import { CLOCK_SKEW_CRITICAL_SECONDS, CLOCK_SKEW_MAJOR_SECONDS, clockSkewRule, gradeClockSkew } from './clock-skew.js';

const result = (reason: string, evidence: ProbeResult['evidence']): ProbeResult => ({
  status: reason === 'ok' ? 'ok' : 'fail',
  reason,
  subject: 'system-clock',
  evidence,
  message: { zh: '', en: '' },
  time: '2026-07-01T00:00:00.000Z',
  durationMs: 0,
});

describe('clock-skew grading', () => {
  it('tolerates up to 60 s either way, major beyond, critical beyond 300 s', () => {
    expect(gradeClockSkew(CLOCK_SKEW_MAJOR_SECONDS)).toBeNull();
    expect(gradeClockSkew(-CLOCK_SKEW_MAJOR_SECONDS)).toBeNull();
    expect(gradeClockSkew(60.1)).toEqual({ code: 'CLOCK_SKEW', severity: 'major' });
    expect(gradeClockSkew(-CLOCK_SKEW_CRITICAL_SECONDS)).toEqual({ code: 'CLOCK_SKEW', severity: 'major' });
    expect(gradeClockSkew(-300.5)).toEqual({ code: 'CLOCK_SKEW', severity: 'critical' });
  });

  it('grades clock_skew results by their evidence, at least major when the size is missing; other reasons are not its business', () => {
    expect(clockSkewRule(result('clock_skew', { skewSeconds: 400 }))).toEqual({ code: 'CLOCK_SKEW', severity: 'critical' });
    expect(clockSkewRule(result('clock_skew', {}))).toEqual({ code: 'CLOCK_SKEW', severity: 'major' });
    expect(clockSkewRule(result('clock_jumped', { skewSeconds: 400 }))).toBeNull();
  });
});
