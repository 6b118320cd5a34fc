import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import pkcs11js from 'pkcs11js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testModules, type TestModules } from '../../agent/checks/token/test-support/modules.js';

// End to end: real config files through the built `guardpost` (dist/), whose token
// check runs in its isolated child process.
const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'guardpost.js');
const tmp = mkdtempSync(join(tmpdir(), 'gp-token-cli-'));
const SITE = { fixmedins_code: 'P44010600123', fixmedins_name: '示例大药房', mdtrtarea_admvs: '440106', terminalId: 'POS-01' };
let modules: TestModules;

function guardpost(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: tmp, ...env }, timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function writeConfig(name: string, checks: unknown): string {
  const file = join(tmp, name);
  writeFileSync(file, JSON.stringify({ site: SITE, storage: { dir: join(tmp, `${name}-state`) }, checks }, null, 2));
  return file;
}

const token = (tokens: unknown[]) => ({ type: 'token', intervalSeconds: 3600, timeoutSeconds: 30, tokens });

beforeAll(() => {
  if (!existsSync(join(root, 'dist/agent/cli/main.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does it)');
  modules = testModules();
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('guardpost with token checks', () => {
  it('config validate refuses a sign test without a PIN and two tokens on one module without names, by path, line and column', () => {
    const file = writeConfig('mistakes.json', {
      hsm: token([{ module: '/opt/hsm/lib/libhsm.so', label: 'AUTH', signTest: { enabled: true } }]),
      usbkeys: token([{ module: '/usr/lib/libcastle.so.1.0.0' }, { module: '/usr/lib/libcastle.so.1.0.0' }]),
    });
    const r = guardpost(['config', 'validate', file]);
    expect(r.code).toBe(78);
    expect(r.err).toMatch(/checks\.hsm\.tokens\[0\]\.signTest \(line \d+, column \d+\): the sign test is enabled but has no pin/);
    expect(r.err).toMatch(/checks\.usbkeys\.tokens\[1\] \(line \d+, column \d+\): tokens\[0\] and tokens\[1\] are both named "libcastle\.so\.1\.0\.0"/);
  });

  it('check finds a module given by file name alone where the loader would, and passes tokens[].env to the isolated child', () => {
    const finalTry = `0x${(pkcs11js.CKF_TOKEN_INITIALIZED | pkcs11js.CKF_USER_PIN_INITIALIZED | pkcs11js.CKF_USER_PIN_FINAL_TRY).toString(16)}`;
    const file = writeConfig('bare.json', {
      usbkey: token([{ module: basename(modules.flags), name: 'usbkey', env: [{ name: 'GP_TOKEN_FLAGS', value: { env: 'FLAGS_FOR_THE_MODULE' } }] }]),
    });
    // The module's directory is on LD_LIBRARY_PATH; the agent's own environment has no GP_TOKEN_FLAGS.
    const r = guardpost(['check', '--lang', 'en', '--config', file], { LD_LIBRARY_PATH: dirname(modules.flags), FLAGS_FOR_THE_MODULE: finalTry });
    expect(r.err).toBe('');
    expect(r.out).toContain('TOKEN_PIN_FINAL_TRY');
    expect(r.out).not.toContain(finalTry.slice(2)); // the value itself is not printed
    expect(r.code).toBe(2);
  });

  it('check says which paths were tried when a bare module name is nowhere', () => {
    const file = writeConfig('nowhere.json', { usbkey: token([{ module: 'libgp-not-installed.so', name: 'usbkey' }]) });
    const r = guardpost(['check', '--lang', 'en', '--config', file], { LD_LIBRARY_PATH: join(tmp, 'vendor-lib') });
    expect(r.code).toBe(3);
    expect(r.out).toContain('TOKEN_MODULE_MISSING');
    expect(r.out).toContain(`libgp-not-installed.so: not found in the library search path (driver not installed?); looked in ${join(tmp, 'vendor-lib')}, `);
    expect(r.out).toContain('/usr/lib/softhsm'); // through the loader's directories to the PKCS#11 ones
  });

  it.runIf(existsSync('/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so'))('check loads "opensc-pkcs11.so" from the multiarch directory: no TOKEN_MODULE_MISSING', () => {
    const file = writeConfig('opensc.json', { opensc: token([{ module: 'opensc-pkcs11.so', name: 'opensc' }]) });
    const r = guardpost(['check', '--json', '--config', file]);
    const findings = (JSON.parse(r.out) as { findings: { result: { reason: string }; fault?: { code: string } }[] }).findings;
    expect(findings.map((f) => f.fault?.code)).not.toContain('TOKEN_MODULE_MISSING');
    expect(findings[0]!.result.reason).toBe('token_not_present'); // loaded, initialised, no reader here
  });

  it("two one-shot checks with a sign test make one login attempt: the second sees the agent's record and says why", () => {
    const state = join(tmp, 'pin-state');
    mkdirSync(state, { mode: 0o700 });
    const file = join(tmp, 'pin.json');
    writeFileSync(
      file,
      JSON.stringify({ site: SITE, storage: { dir: state }, checks: { hsm: token([{ module: modules.flags, name: 'hsm', signTest: { enabled: true, pin: { env: 'HSM_PIN' } } }]) } }),
    );
    const count = join(tmp, 'logins');
    const env = { HSM_PIN: '000000', GP_LOGIN_COUNT_FILE: count }; // the test module refuses every PIN, as a wrong one
    const first = guardpost(['check', '--json', '--config', file], env);
    expect(first.err).toBe('');
    expect(statSync(count).size).toBe(1);
    const second = guardpost(['check', '--json', '--config', file], env);
    expect(statSync(count).size).toBe(1); // no second wrong PIN on the same day: six lock a USBKey
    const findings = JSON.parse(second.out).findings as { result: { reason: string; evidence: Record<string, unknown> } }[];
    expect(findings.find((f) => f.result.reason === 'login_failed')?.result.evidence).toMatchObject({ ckr: 'CKR_PIN_INCORRECT', loginAttempted: false });
  });
});
