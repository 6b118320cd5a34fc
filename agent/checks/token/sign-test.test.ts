import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryState } from '../shared/testing.js';
import { tokenTestPki, type TokenTestPki } from './test-support/pki.js';
import { bySubject, runOnce, signal, signTestConfig, tokenContext, forgetLoginMarkers } from './test-support/probe.js';
import { PrivateSoftHsm, SOFTHSM_MODULE, softhsmAvailable, USER_PIN } from './test-support/softhsm.js';

describe.runIf(softhsmAvailable)('sign test on a SoftHSM2 "HSM" (opt-in login)', () => {
  let hsm: PrivateSoftHsm;
  let pki: TokenTestPki;
  const token = { module: SOFTHSM_MODULE, label: 'auth-hsm', name: 'hsm' };

  beforeAll(async () => {
    hsm = PrivateSoftHsm.create();
    pki = await tokenTestPki();
    hsm.initToken('auth-hsm');
    hsm.importObjects('auth-hsm', [
      { type: 'privkey', file: pki.rsa.key, id: '01', label: 'rsa-auth' },
      { type: 'cert', file: pki.rsa.cert, id: '01', label: 'rsa-auth' },
      { type: 'privkey', file: pki.ec.key, id: '0a', label: 'ec-auth' },
      { type: 'cert', file: pki.ec.cert, id: '0a', label: 'ec-auth' },
      // A renewed certificate next to the old key: the pair no longer matches.
      { type: 'privkey', file: pki.rsa.key, id: '03', label: 'renewed' },
      { type: 'cert', file: pki.expiringSoon.cert, id: '03', label: 'renewed' },
    ]);
  });
  afterAll(() => {
    hsm?.remove();
    forgetLoginMarkers();
  });

  it('logs in, signs a nonce with the RSA key and verifies it with its certificate', async () => {
    const results = await runOnce(signTestConfig(token, USER_PIN, { keyLabel: 'rsa-auth' }));
    expect(bySubject(results, 'hsm')).toMatchObject({ status: 'ok', evidence: { pinCountLow: false } });
    expect(bySubject(results, 'hsm sign test')).toMatchObject({
      status: 'ok',
      reason: 'ok',
      labels: { token: 'hsm' },
      evidence: { keyId: '01', keyLabel: 'rsa-auth', loginAttempted: true, signatureBytes: 256 },
    });
  });

  it('signs with an ECDSA P-256 key found by CKA_ID', async () => {
    const r = bySubject(await runOnce(signTestConfig(token, USER_PIN, { keyId: '0A' })), 'hsm sign test');
    expect(r).toMatchObject({ status: 'ok', evidence: { keyId: '0a', keyLabel: 'ec-auth', signatureBytes: 64 } });
  });

  it('fails, critically, when the key does not match its certificate or is not there', async () => {
    const cfg = signTestConfig(token, USER_PIN, { keyLabel: 'renewed' });
    const mismatch = bySubject(await runOnce(cfg), 'hsm sign test');
    expect(mismatch).toMatchObject({ status: 'fail', reason: 'sign_test_failed' });
    expect(mismatch.message.en).toContain('do not match');
    expect(signal(mismatch, cfg)).toEqual({ code: 'TOKEN_SIGN_TEST_FAILED', severity: 'critical' });

    const missing = bySubject(await runOnce(signTestConfig(token, USER_PIN, { keyLabel: 'no-such-key' })), 'hsm sign test');
    expect(missing).toMatchObject({ reason: 'sign_test_failed', evidence: { privateKeysFound: 0 } });
  });

  it('repeats the last outcome until the interval is over, then tests again', async () => {
    let now = new Date(2026, 10, 22, 9, 0, 0);
    const ctx = tokenContext({ now: () => now });
    const cfg = signTestConfig(token, USER_PIN, { keyLabel: 'rsa-auth', intervalMinutes: 60 });
    const first = bySubject(await runOnce(cfg, ctx), 'hsm sign test');
    now = new Date(2026, 10, 22, 9, 30, 0);
    const repeated = bySubject(await runOnce(cfg, ctx), 'hsm sign test');
    expect(repeated.evidence.certificateSubject).toBe(first.evidence.certificateSubject);
    expect(ctx.state.get<{ signTests: Record<string, { lastRunAt: string }> }>()!.signTests.hsm!.lastRunAt).toBe(new Date(2026, 10, 22, 9, 0, 0).toISOString());
    now = new Date(2026, 10, 22, 10, 1, 0);
    await runOnce(cfg, ctx);
    expect(ctx.state.get<{ signTests: Record<string, { lastRunAt: string }> }>()!.signTests.hsm!.lastRunAt).toBe(now.toISOString());
  });

  it('after a wrong PIN it does not log in again that day, not even with the right PIN: the token keeps COUNT_LOW', async () => {
    let now = new Date(2026, 10, 22, 9, 0, 0);
    const state = memoryState();
    const ctx = tokenContext({ state, now: () => now });
    const wrong = bySubject(await runOnce(signTestConfig(token, '999999', { intervalMinutes: 1 }), ctx), 'hsm sign test');
    expect(wrong).toMatchObject({ reason: 'login_failed', evidence: { ckr: 'CKR_PIN_INCORRECT' } });

    // The engineer fixes the PIN the same afternoon: a login now would clear SoftHSM's COUNT_LOW flag.
    now = new Date(2026, 10, 22, 15, 0, 0);
    const fixed = signTestConfig(token, USER_PIN, { intervalMinutes: 1 });
    const results = await runOnce(fixed, ctx);
    expect(bySubject(results, 'hsm sign test')).toMatchObject({ reason: 'login_failed', evidence: { loginAttempted: false } });
    expect(bySubject(results, 'hsm')).toMatchObject({ reason: 'pin_count_low', evidence: { pinCountLow: true } });

    // Next day: COUNT_LOW is still set, so the guard still keeps it from logging in.
    now = new Date(2026, 10, 23, 9, 0, 0);
    const nextDay = await runOnce(fixed, ctx);
    expect(bySubject(nextDay, 'hsm sign test')).toMatchObject({ reason: 'sign_test_skipped', evidence: { pinCountLow: true, loginAttempted: false } });
    expect(bySubject(nextDay, 'hsm').evidence.pinCountLow).toBe(true);
  });

  it('a later process that never saw the refused login (a second one-shot check) still gives the real reason', async () => {
    // A token of its own: the one above keeps USER_PIN_COUNT_LOW, which would stop the login before it is tried.
    hsm.initToken('refusing-hsm');
    const refusing = { module: SOFTHSM_MODULE, label: 'refusing-hsm', name: 'hsm' };
    const now = new Date(2026, 10, 24, 9, 0, 0);
    const first = tokenContext({ now: () => now });
    const wrong = bySubject(await runOnce(signTestConfig(refusing, '999999'), first), 'hsm sign test');
    expect(wrong).toMatchObject({ reason: 'login_failed', evidence: { ckr: 'CKR_PIN_INCORRECT' } });

    // Same check, fresh state: only the login journal knows what happened today.
    const second = tokenContext({ checkId: first.checkId, state: memoryState(), now: () => now });
    const again = bySubject(await runOnce(signTestConfig(refusing, '999999'), second), 'hsm sign test');
    expect(again).toMatchObject({ reason: 'login_failed', evidence: { ckr: 'CKR_PIN_INCORRECT', loginAttempted: false } });
    expect(again.message.en).toContain('CKR_PIN_INCORRECT');
    expect(again.message.en).not.toContain('interrupted');
  });
});
