import { afterEach, describe, expect, it } from 'vitest';
import { FaultCatalogue } from '../faults/catalogue.js';
import { FaultEngine, frameworkFault } from '../faults/engine.js';
import { faultTable } from '../faults/types.js';
import { fixturePlugin } from '../isolation/test-fixtures/fixture-plugin.js';
import { plugin as throwsPlugin } from '../isolation/test-fixtures/throws.js';
import { testContext } from '../isolation/test-fixtures/context.js';
import { frameworkFailure, redactCredentials } from './framework-result.js';
import { Scheduler } from './scheduler.js';

const schedulers: Scheduler[] = [];
afterEach(async () => {
  await Promise.all(schedulers.splice(0).map((s) => s.stop(500)));
});

// Issue 19, item 5: a CHECK_ERROR says why, in the words every surface shows (the result message, the fault detail).
describe('framework failures say why', () => {
  it('a probe that throws: its error is in the message, and so in the CHECK_ERROR fault\'s detail', async () => {
    const plugin = fixturePlugin('broken', 'inline:broken', () => ({
      run: () => Promise.reject(new Error('cannot read /etc/guardpost/mirror.list: EACCES')),
    }));
    const s = new Scheduler({
      checks: [{ id: 'broken', plugin, config: {}, intervalSeconds: 60, timeoutSeconds: 5, isolated: false }],
      onResults: () => undefined,
      contextFor: (id) => testContext(id),
    });
    schedulers.push(s);
    const [result] = (await s.runNow(['broken'])).get('broken')!;
    expect(result).toMatchObject({ status: 'fail', reason: 'probe_error', evidence: { error: 'Error: cannot read /etc/guardpost/mirror.list: EACCES' } });
    expect(result!.message.en).toBe('the probe threw an unexpected error: Error: cannot read /etc/guardpost/mirror.list: EACCES');
    expect(result!.message.zh).toBe('检查程序内部错误：Error: cannot read /etc/guardpost/mirror.list: EACCES');

    const engine = new FaultEngine({ agentId: 'a', catalogue: new FaultCatalogue([plugin]), inhibitRules: [], faults: faultTable({}) });
    const [opened] = engine.ingest({ id: 'broken', raiseAfter: 1, clearAfter: 1, rules: (r) => frameworkFault(r.reason) ?? null }, [result!]);
    expect(opened!.fault).toMatchObject({ code: 'CHECK_ERROR' });
    expect(opened!.fault.detail.en).toContain('EACCES');
  });

  it('an isolated probe that throws in its child process: the same, the error travels back', async () => {
    const s = new Scheduler({
      checks: [{ id: 'throws', plugin: throwsPlugin, config: {}, intervalSeconds: 60, timeoutSeconds: 30, isolated: true }],
      onResults: () => undefined,
      contextFor: (id) => testContext(id),
    });
    schedulers.push(s);
    const [result] = (await s.runNow(['throws'])).get('throws')!;
    expect(result).toMatchObject({ reason: 'probe_error', message: { en: 'the probe threw an unexpected error: Error: fixture probe failed' } });
  });

  it('keeps the plain words when there is no error, and never a password from a URL', () => {
    expect(frameworkFailure('c', 'busy', {}, 0, 0).message.en).toBe('the previous run of this check has not finished');
    const r = frameworkFailure('c', 'probe_error', { error: 'Error: GET http://ops:S3cret!@10.44.0.5/crl failed' }, 0, 0);
    expect(r.message.en).toBe('the probe threw an unexpected error: Error: GET http://ops:[redacted]@10.44.0.5/crl failed');
    expect(r.message.en).not.toContain('S3cret');
    expect(redactCredentials('https://host/path@x and ftp://u@h')).toBe('https://host/path@x and ftp://u@h');
  });
});
