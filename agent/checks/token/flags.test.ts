import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pkcs11js from 'pkcs11js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { memoryState } from '../shared/testing.js';
import { LoginJournal } from './login-journal.js';
import { localDay } from './sign-test.js';
import { testModules, type TestModules } from './test-support/modules.js';
import { bySubject, runOnce, signal, signTestConfig, tokenConfig, tokenContext, tokenStateDir, forgetLoginMarkers } from './test-support/probe.js';

// SoftHSM2 never sets USER_PIN_FINAL_TRY or USER_PIN_LOCKED: the flags test module (test-modules/flags.c) reports
// whatever GP_TOKEN_FLAGS says, read at every C_GetTokenInfo, and counts C_Login calls in GP_LOGIN_COUNT_FILE.
const { CKF_TOKEN_INITIALIZED: INIT, CKF_LOGIN_REQUIRED, CKF_USER_PIN_INITIALIZED } = pkcs11js;
const { CKF_USER_PIN_COUNT_LOW: COUNT_LOW, CKF_USER_PIN_FINAL_TRY: FINAL_TRY, CKF_USER_PIN_LOCKED: LOCKED, CKF_USER_PIN_TO_BE_CHANGED: TO_BE_CHANGED } = pkcs11js;
const HEALTHY = INIT | CKF_LOGIN_REQUIRED | CKF_USER_PIN_INITIALIZED;

let modules: TestModules;
let dir: string;
let countFile: string;
const logins = () => (existsSync(countFile) ? readFileSync(countFile).length : 0);
const setFlags = (flags: number) => void (process.env.GP_TOKEN_FLAGS = `0x${flags.toString(16)}`);

beforeAll(() => {
  modules = testModules();
  dir = mkdtempSync(path.join(tmpdir(), 'gp-token-flags-'));
  countFile = path.join(dir, 'logins');
  process.env.GP_LOGIN_COUNT_FILE = countFile;
});
afterEach(() => {
  delete process.env.GP_TOKEN_FLAGS;
  rmSync(countFile, { force: true });
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  forgetLoginMarkers();
});

describe('token flags from the flags test module', () => {
  const cases: [string, number, string, { code: string; severity: string } | null][] = [
    ['healthy', HEALTHY, 'ok', null],
    ['a wrong PIN earlier', HEALTHY | COUNT_LOW, 'pin_count_low', { code: 'TOKEN_PIN_COUNT_LOW', severity: 'minor' }],
    ['the final try', HEALTHY | COUNT_LOW | FINAL_TRY, 'pin_final_try', { code: 'TOKEN_PIN_FINAL_TRY', severity: 'major' }],
    ['a locked PIN', HEALTHY | FINAL_TRY | LOCKED, 'pin_locked', { code: 'TOKEN_PIN_LOCKED', severity: 'critical' }],
    ['a PIN to change', HEALTHY | TO_BE_CHANGED, 'pin_to_be_changed', { code: 'TOKEN_PIN_TO_BE_CHANGED', severity: 'minor' }],
    ['count low and to change: the retry state first', HEALTHY | COUNT_LOW | TO_BE_CHANGED, 'pin_count_low', { code: 'TOKEN_PIN_COUNT_LOW', severity: 'minor' }],
    ['not initialised', CKF_LOGIN_REQUIRED, 'token_not_initialized', { code: 'TOKEN_NOT_INITIALIZED', severity: 'major' }],
  ];
  for (const [what, flags, reason, fault] of cases) {
    it(`grades ${what}`, async () => {
      setFlags(flags);
      const cfg = tokenConfig([{ module: modules.flags, label: 'flags-token' }]);
      const [r] = await runOnce(cfg);
      expect(r).toMatchObject({ reason, subject: 'flags-token', evidence: { flags, present: true, tokenSerial: 'FLAGS0001' } });
      expect(signal(r!, cfg)).toEqual(fault);
    });
  }

  it('keeps every bit in the evidence whatever the reason', async () => {
    setFlags(HEALTHY | LOCKED | TO_BE_CHANGED);
    const [r] = await runOnce(tokenConfig([{ module: modules.flags }]));
    expect(r!.evidence).toMatchObject({ pinLocked: true, pinToBeChanged: true, pinFinalTry: false, tokenInitialized: true, flagsHex: `0x${(HEALTHY | LOCKED | TO_BE_CHANGED).toString(16)}` });
  });
});

describe('never a login unless signTest is enabled', () => {
  it('runs with every flag combination and the sign test off without a single C_Login', async () => {
    for (const flags of [HEALTHY, HEALTHY | COUNT_LOW, HEALTHY | FINAL_TRY, HEALTHY | LOCKED, HEALTHY | TO_BE_CHANGED]) {
      setFlags(flags);
      await runOnce(tokenConfig([{ module: modules.flags }]));
      await runOnce(tokenConfig([{ module: modules.flags, signTest: { enabled: false, keyLabel: 'k' } }]));
    }
    expect(logins()).toBe(0);
  });

  it('with the sign test on, skips it without logging in while a PIN retry flag is set', async () => {
    for (const flag of [COUNT_LOW, FINAL_TRY, LOCKED]) {
      setFlags(HEALTHY | flag);
      const cfg = signTestConfig({ module: modules.flags, name: 'hsm' }, '123456');
      const results = await runOnce(cfg);
      const test = bySubject(results, 'hsm sign test');
      expect(test).toMatchObject({ status: 'fail', reason: 'sign_test_skipped', evidence: { loginAttempted: false } });
      expect(signal(test, cfg)).toEqual({ code: 'TOKEN_SIGN_TEST_SKIPPED', severity: 'major' });
    }
    expect(logins()).toBe(0);
  });

  it('tries a failing login once a day, remembering it in the check state', async () => {
    setFlags(HEALTHY);
    let now = new Date(2026, 10, 22, 9, 0, 0);
    const state = memoryState();
    const ctx = tokenContext({ state, now: () => now });
    const cfg = signTestConfig({ module: modules.flags, name: 'hsm' }, '000000', { intervalMinutes: 1 });

    const first = bySubject(await runOnce(cfg, ctx), 'hsm sign test');
    expect(first).toMatchObject({ reason: 'login_failed', evidence: { ckr: 'CKR_PIN_INCORRECT', loginAttempted: true } });
    expect(signal(first, cfg)).toEqual({ code: 'TOKEN_LOGIN_FAILED', severity: 'major' });
    expect(logins()).toBe(1);

    for (const later of [5, 60 * 8, 60 * 14]) {
      now = new Date(2026, 10, 22, 9, later, 0); // same day, long after the interval, new probes (restarts)
      const again = bySubject(await runOnce(cfg, ctx), 'hsm sign test');
      expect(again).toMatchObject({ reason: 'login_failed', evidence: { loginAttempted: false, loginFailedOn: '2026-11-22' } });
    }
    expect(logins()).toBe(1);
    expect(state.raw()).toMatchObject({ signTests: { hsm: { loginFailedOn: '2026-11-22', loginFailure: 'CKR_PIN_INCORRECT' } } });

    now = new Date(2026, 10, 23, 0, 5, 0);
    expect(bySubject(await runOnce(cfg, ctx), 'hsm sign test').evidence.loginAttempted).toBe(true);
    expect(logins()).toBe(2);
  });

  it('counts a login the module never returned from (crash or hang) as failed for that day', async () => {
    setFlags(HEALTHY);
    const now = new Date(2026, 10, 22, 9, 0, 0);
    const ctx = tokenContext({ now: () => now });
    new LoginJournal(ctx.stateDir!, ctx.checkId, 'hsm').begin(localDay(now)); // what a child killed inside C_Login leaves behind
    const r = bySubject(await runOnce(signTestConfig({ module: modules.flags, name: 'hsm' }, '123456'), ctx), 'hsm sign test');
    expect(r).toMatchObject({ reason: 'login_failed', evidence: { loginAttempted: false } });
    expect(String(r.message.en)).toContain('interrupted');
    expect(logins()).toBe(0);
    expect(new LoginJournal(ctx.stateDir!, ctx.checkId, 'hsm').read()).toEqual({ kind: 'marked', day: '2026-11-22' }); // still barred for the day
  });

  it('keeps the marker of a failed login for the day, so a state lost with a crashed child cannot allow a retry', async () => {
    setFlags(HEALTHY);
    let now = new Date(2026, 10, 22, 9, 0, 0);
    const checkId = `token-test-journal-${Date.now()}`;
    const cfg = signTestConfig({ module: modules.flags, name: 'hsm' }, '000000', { intervalMinutes: 1 });
    await runOnce(cfg, tokenContext({ checkId, now: () => now }));
    expect(logins()).toBe(1);
    const journal = new LoginJournal(tokenStateDir(), checkId, 'hsm');
    expect(journal.read()).toEqual({ kind: 'marked', day: '2026-11-22', failure: 'CKR_PIN_INCORRECT' });
    now = new Date(2026, 10, 22, 18, 0, 0);
    const fresh = bySubject(await runOnce(cfg, tokenContext({ checkId, now: () => now })), 'hsm sign test'); // empty state
    expect(fresh).toMatchObject({ reason: 'login_failed', evidence: { loginAttempted: false } });
    expect(logins()).toBe(1);
    now = new Date(2026, 10, 23, 9, 0, 0);
    await runOnce(cfg, tokenContext({ checkId, now: () => now }));
    expect(logins()).toBe(2); // a new day: one attempt
    journal.end();
  });
});
