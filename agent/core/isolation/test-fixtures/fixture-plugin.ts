import { Type } from '../../schema/type.js';
import type { CheckPlugin, Probe, ProbeContext } from '../../checks/plugin.js';
import type { Evidence, ProbeResult } from '../../checks/result.js';

/** Test-only: a check plugin with everything but createProbe filled in. */
export function fixturePlugin<C>(
  type: string,
  moduleUrl: string,
  createProbe: (config: C, ctx: ProbeContext) => Probe,
): CheckPlugin<C> {
  return {
    type,
    moduleUrl,
    title: { zh: type, en: type },
    configSchema: Type.Object({}),
    defaults: { intervalSeconds: 60, timeoutSeconds: 10, raiseAfter: 1, clearAfter: 1 },
    reasons: {},
    faults: [],
    rules: () => null,
    example: () => ({}),
    createProbe,
  };
}

export function okResult(subject: string, evidence: Evidence): ProbeResult {
  return {
    status: 'ok',
    reason: 'ok',
    message: { zh: '正常', en: 'ok' },
    subject,
    evidence,
    time: new Date().toISOString(),
    durationMs: 0,
  };
}
