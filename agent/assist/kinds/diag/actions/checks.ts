import type { ProbeResult } from '../../../../core/checks/result.js';
import { Type } from '../../../../core/schema/type.js';
import type { DiagHost } from '../host.js';
import { DiagArgsError, json, type DiagAction, type DiagAnswer } from './action.js';

const ENDPOINT_TYPES = ['settlement', 'certserver'];
const DEVICE_TYPES = ['reader', 'token'];
const CHECK_ID = Type.String({ minLength: 1, maxLength: 128, description: 'a check id' });

async function runAndReport(host: DiagHost, ids: string[]): Promise<DiagAnswer> {
  const results: Map<string, ProbeResult[]> = ids.length ? await host.runChecks(ids) : new Map();
  const types = new Map(host.checks().map((c) => [c.id, c.type]));
  const checks = ids.map((id) => ({ id, type: types.get(id), results: results.get(id) ?? [] }));
  const failing = checks.filter((c) => c.results.some((r) => r.status === 'fail')).length;
  return { contentType: 'application/json', body: json({ checks }), summary: `${checks.length} check${checks.length === 1 ? '' : 's'}, ${failing} failing` };
}

const list = (ids: string[]) => ids.join(', ') || 'none configured';

export const runChecks: DiagAction<{ check?: string }> = {
  name: 'run-checks',
  args: Type.Object({ check: Type.Optional(CHECK_ID) }, { additionalProperties: false }),
  run: async ({ check }, host) => {
    const known = host.checks().map((c) => c.id);
    if (check !== undefined && !known.includes(check)) throw new DiagArgsError(`args.check: unknown check "${check}"; known: ${list(known)}`);
    return runAndReport(host, check !== undefined ? [check] : known);
  },
};

export const testEndpoint: DiagAction<{ check: string }> = {
  name: 'test-endpoint',
  args: Type.Object({ check: CHECK_ID }, { additionalProperties: false }),
  run: async ({ check }, host) => {
    const qualifying = host.checks().filter((c) => ENDPOINT_TYPES.includes(c.type));
    const found = host.checks().find((c) => c.id === check);
    const which = `test-endpoint runs settlement and certserver checks: ${list(qualifying.map((c) => c.id))}`;
    if (!found) throw new DiagArgsError(`args.check: unknown check "${check}"; ${which}`);
    if (!ENDPOINT_TYPES.includes(found.type)) throw new DiagArgsError(`args.check: "${check}" is a ${found.type} check; ${which}`);
    return runAndReport(host, [check]);
  },
};

export const rescanDevices: DiagAction = {
  name: 'rescan-devices',
  args: Type.Object({}, { additionalProperties: false }),
  run: (_args, host) => runAndReport(host, host.checks().filter((c) => DEVICE_TYPES.includes(c.type)).map((c) => c.id)),
};
