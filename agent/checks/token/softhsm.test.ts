import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { neverAborted } from '../shared/testing.js';
import { plugin } from './index.js';
import { testModules, type TestModules } from './test-support/modules.js';
import { tokenTestPki, type TokenTestPki } from './test-support/pki.js';
import { bySubject, runOnce, signal, tokenConfig, tokenContext } from './test-support/probe.js';
import { PrivateSoftHsm, SOFTHSM_MODULE, softhsmAvailable, USER_PIN } from './test-support/softhsm.js';

describe.runIf(softhsmAvailable)('token check on SoftHSM2 (private token directory), read without login', () => {
  let hsm: PrivateSoftHsm;
  let pki: TokenTestPki;
  let modules: TestModules;
  let tillSerial: string;

  beforeAll(async () => {
    hsm = PrivateSoftHsm.create(); // sets SOFTHSM2_CONF before anything here loads the module
    pki = await tokenTestPki();
    modules = testModules();
    tillSerial = hsm.initToken('till-key');
    hsm.importObjects('till-key', [
      { type: 'cert', file: pki.rsa.cert, id: '01', label: 'rsa-sign' },
      { type: 'privkey', file: pki.rsa.key, id: '01', label: 'rsa-sign' },
      { type: 'cert', file: pki.sm2Sign.cert, id: '02', label: 'LAB_USERCERT_SIG' },
      { type: 'cert', file: pki.sm2Enc.cert, id: '02', label: 'LAB_USERCERT_ENC' },
    ]);
    hsm.initToken('spare-key');
    hsm.importObjects('spare-key', [{ type: 'cert', file: pki.ec.cert, id: '0a', label: 'ec' }]);
    hsm.initToken('count-key');
    hsm.initToken('recheck-key');
    hsm.importObjects('recheck-key', [
      { type: 'cert', file: pki.ec.cert, id: '0a', label: 'ec' },
      { type: 'cert', file: pki.rsa.cert, id: '01', label: 'rsa' },
      { type: 'cert', file: pki.sm2Sign.cert, id: '02', label: 'sm2' },
    ]);
    hsm.initToken('cert-key');
    hsm.importObjects('cert-key', [
      { type: 'cert', file: pki.rsa.cert, id: '01', label: 'rsa' },
      { type: 'cert', file: pki.ec.cert, id: '0a', label: 'ec' },
      { type: 'cert', file: pki.expiringSoon.cert, id: '05', label: 'soon' },
      { type: 'cert', file: pki.sm2Sign.cert, id: '02', label: 'LAB_USERCERT_SIG' },
      { type: 'cert', file: pki.sm2Enc.cert, id: '02', label: 'LAB_USERCERT_ENC' },
    ]);
  });
  afterAll(() => hsm?.remove());

  it('reports a present token with its flags and certificate count, skipping the spare slot', async () => {
    const cfg = tokenConfig([{ module: SOFTHSM_MODULE, label: 'till-key' }]);
    const [r, ...rest] = await runOnce(cfg);
    expect(r).toMatchObject({ status: 'ok', reason: 'ok', subject: 'till-key', labels: { token: 'till-key', module: SOFTHSM_MODULE } });
    expect(r!.evidence).toMatchObject({
      present: true,
      tokenLabel: 'till-key',
      tokenSerial: tillSerial,
      manufacturer: 'SoftHSM project',
      tokenInitialized: true,
      pinCountLow: false,
      pinLocked: false,
      certificates: 3,
      otherTokens: 4, // the other four; SoftHSM's free uninitialised slot is not counted
    });
    expect(rest.every((x) => x.subject !== 'till-key')).toBe(true);
  });

  it('finds a token by serial; one whose label or serial matches nothing is a critical TOKEN_NOT_PRESENT', async () => {
    const bySerial = tokenConfig([{ module: SOFTHSM_MODULE, serial: tillSerial, name: 'till' }]);
    expect((await runOnce(bySerial))[0]).toMatchObject({ status: 'ok', subject: 'till', evidence: { tokenLabel: 'till-key' } });

    const wrong = tokenConfig([{ module: SOFTHSM_MODULE, label: 'till-key', serial: '0000000000000000', name: 'till' }]);
    const [r] = await runOnce(wrong);
    expect(r).toMatchObject({ status: 'fail', reason: 'token_not_present', evidence: { present: false, otherTokens: 5 } });
    expect(signal(r!, wrong)).toEqual({ code: 'TOKEN_NOT_PRESENT', severity: 'critical' });
    expect(r!.message.en).toContain('serial 0000000000000000');

    const optional = tokenConfig([{ module: SOFTHSM_MODULE, label: 'not-here', required: false }]);
    expect((await runOnce(optional))[0]).toMatchObject({ status: 'ok', reason: 'ok', subject: 'not-here', evidence: { present: false, required: false } });
  });

  it('sees the token pulled at the next run and plugged back at the one after (the module is re-initialised each run)', async () => {
    const cfg = tokenConfig([{ module: SOFTHSM_MODULE, label: 'spare-key' }]);
    const probe = plugin.createProbe(cfg, tokenContext());
    try {
      expect((await probe.run(neverAborted))[0]).toMatchObject({ status: 'ok', evidence: { present: true, certificates: 1 } });
      hsm.unplug('spare-key');
      const gone = (await probe.run(neverAborted))[0]!;
      expect(gone).toMatchObject({ status: 'fail', reason: 'token_not_present' });
      expect(signal(gone, cfg)?.code).toBe('TOKEN_NOT_PRESENT');
      hsm.replug('spare-key');
      expect((await probe.run(neverAborted))[0]).toMatchObject({ status: 'ok', evidence: { present: true, certificates: 1 } });
    } finally {
      await probe.close?.();
    }
  });

  it('reports a wrong PIN entered by another program as TOKEN_PIN_COUNT_LOW, cleared by a good login', async () => {
    const cfg = tokenConfig([{ module: SOFTHSM_MODULE, label: 'count-key' }]);
    const tool = (pin: string) =>
      execFileSync('pkcs11-tool', ['--module', SOFTHSM_MODULE, '--token-label', 'count-key', '--login', '--pin', pin, '--list-objects'], { stdio: 'ignore' });
    expect(() => tool('999999')).toThrow();
    const [low] = await runOnce(cfg);
    expect(low).toMatchObject({ status: 'fail', reason: 'pin_count_low', evidence: { pinCountLow: true, pinFinalTry: false } });
    expect(signal(low!, cfg)).toEqual({ code: 'TOKEN_PIN_COUNT_LOW', severity: 'minor' });
    tool(USER_PIN);
    expect((await runOnce(cfg))[0]).toMatchObject({ status: 'ok', evidence: { pinCountLow: false } });
  });

  it("reports a module that cannot be loaded as TOKEN_MODULE_MISSING with the loader's message", async () => {
    const cases: [string, RegExp][] = [
      [path.join(hsm.dir, 'no-such-driver.so'), /no such file/],
      [modules.wrongClass, /wrong ELF class: ELFCLASS32/],
      [modules.missingDependency, /libgp-vanished\.so: cannot open shared object file/],
      [modules.notAModule, /invalid ELF header|file too short/],
    ];
    for (const [module, message] of cases) {
      const cfg = tokenConfig([{ module, name: 'key' }]);
      const [r] = await runOnce(cfg);
      expect(r, module).toMatchObject({ status: 'fail', reason: 'module_missing', subject: 'key' });
      expect(String(r!.evidence.error)).toMatch(message);
      expect(signal(r!, cfg)).toEqual({ code: 'TOKEN_MODULE_MISSING', severity: 'critical' });
    }
  });

  it('checks several tokens of one module in one cycle and keeps their results apart', async () => {
    const cfg = tokenConfig([
      { module: SOFTHSM_MODULE, label: 'till-key' },
      { module: SOFTHSM_MODULE, label: 'spare-key' },
      { module: SOFTHSM_MODULE, label: 'gone-key', name: 'gone' },
    ]);
    const results = await runOnce(cfg);
    expect(bySubject(results, 'till-key').evidence.certificates).toBe(3);
    expect(bySubject(results, 'spare-key').evidence.certificates).toBe(1);
    expect(bySubject(results, 'gone').reason).toBe('token_not_present');
  });

  it('hands the certificates to the engine: RSA, ECDSA and SM2 graded, the SM2 dual pair reported both ways', async () => {
    const cfg = tokenConfig([{ module: SOFTHSM_MODULE, label: 'cert-key', name: 'usbkey', certificates: { anchors: pki.anchors, intermediates: pki.intermediates } }]);
    const results = await runOnce(cfg);
    const certs = Object.fromEntries(results.filter((r) => r.labels?.source === 'token:usbkey').map((r) => [String(r.evidence.label), r]));
    expect(Object.keys(certs).sort()).toEqual(['LAB_USERCERT_ENC', 'LAB_USERCERT_SIG', 'ec', 'rsa', 'soon']);
    for (const r of Object.values(certs)) expect(r.labels).toMatchObject({ token: 'usbkey', module: SOFTHSM_MODULE });
    expect(certs.rsa).toMatchObject({ status: 'ok', evidence: { keyAlgorithm: 'RSA', chainStatus: 'verified', id: '01' } });
    expect(certs.ec).toMatchObject({ status: 'ok', evidence: { keyAlgorithm: 'EC', curve: 'P-256', chainStatus: 'verified' } });
    const sig = certs.LAB_USERCERT_SIG!;
    const enc = certs.LAB_USERCERT_ENC!;
    expect(sig).toMatchObject({ status: 'ok', evidence: { keyAlgorithm: 'SM2', role: 'signing', chainStatus: 'verified', sm2Id: 'gbt', pairedWith: enc.evidence.sha256 } });
    expect(enc).toMatchObject({ status: 'ok', evidence: { keyAlgorithm: 'SM2', role: 'encryption', chainStatus: 'verified', pairedWith: sig.evidence.sha256 } });
    expect(certs.soon).toMatchObject({ status: 'fail', reason: 'expiring' });
    expect(plugin.rules(certs.soon!, cfg)).toEqual({ code: 'CERT_EXPIRING', severity: 'critical' }); // under 7 days
    const lenient = tokenConfig([{ module: SOFTHSM_MODULE, label: 'cert-key', name: 'usbkey', certificates: { expiry: { minorDays: 10, majorDays: 4, criticalDays: 1 } } }]);
    expect(plugin.rules(certs.soon!, lenient)).toEqual({ code: 'CERT_EXPIRING', severity: 'minor' }); // the token's own policy
  });

  it("re-inspects the certificates when the token's objects change or the recheck time has passed, not every run", async () => {
    let now = new Date();
    const start = now.getTime();
    const cfg = tokenConfig([{ module: SOFTHSM_MODULE, label: 'recheck-key', name: 'k', certificateRecheckMinutes: 1440 }]);
    const probe = plugin.createProbe(cfg, tokenContext({ now: () => now }));
    const daysLeft = async () => {
      const certs = (await probe.run(neverAborted)).filter((r) => r.labels?.source === 'token:k');
      return Object.fromEntries(certs.map((r) => [String(r.evidence.label), r.evidence.daysLeft]));
    };
    try {
      const first = await daysLeft();
      expect(Object.keys(first).sort()).toEqual(['ec', 'rsa', 'sm2']);
      now = new Date(start + 23 * 3600_000);
      // Same objects (listed in another order after each C_Initialize), within the recheck time: the earlier inspection.
      expect(await daysLeft()).toEqual(first);
      hsm.importObjects('recheck-key', [{ type: 'cert', file: pki.expiringSoon.cert, id: '0b', label: 'soon' }]);
      const changed = await daysLeft();
      expect(Object.keys(changed).sort()).toEqual(['ec', 'rsa', 'sm2', 'soon']);
      expect(changed.ec).toBeLessThan(first.ec as number); // inspected afresh, at the later time
      now = new Date(start + 49 * 3600_000);
      expect((await daysLeft()).soon).toBeLessThan(changed.soon as number); // recheck time passed
    } finally {
      await probe.close?.();
    }
  });

  it('refuses duplicate names and a sign test without a PIN when the probe is created (a config that bypassed the loader)', () => {
    const dup = tokenConfig([{ module: SOFTHSM_MODULE, label: 'a', name: 'x' }, { module: SOFTHSM_MODULE, label: 'b', name: 'x' }]);
    expect(() => plugin.createProbe(dup, tokenContext())).toThrow(/token: tokens\[1\]: tokens\[0\] and tokens\[1\] are both named "x"/);
    const noPin = tokenConfig([{ module: SOFTHSM_MODULE, label: 'a', signTest: { enabled: true } }]);
    expect(() => plugin.createProbe(noPin, tokenContext())).toThrow(/token: tokens\[0\]\.signTest: the sign test is enabled but has no pin/);
  });
});
