import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pkcs11js from 'pkcs11js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../core/config/load.js';
import { FaultCatalogue } from '../../core/faults/catalogue.js';
import { createLogger } from '../../core/logging/index.js';
import { Agent } from '../../core/runtime/agent.js';
import { currentPlatform } from '../../platform/index.js';
import { builtinPlugins } from '../all.js';
import { LOGIN_JOURNAL_DIR, LoginJournal } from './login-journal.js';
import { testModules, type TestModules } from './test-support/modules.js';
import { bySubject, runOnce, signTestConfig, tokenContext } from './test-support/probe.js';

// The wrong-PIN guard (login-journal.ts) lives in the agent's state directory: it survives restarts and reboots, and
// is used only when nobody but the agent's user could have written it. Otherwise: no login at all.
const { CKF_TOKEN_INITIALIZED, CKF_LOGIN_REQUIRED, CKF_USER_PIN_INITIALIZED } = pkcs11js;
const HEALTHY = CKF_TOKEN_INITIALIZED | CKF_LOGIN_REQUIRED | CKF_USER_PIN_INITIALIZED;
const SITE = { fixmedins_code: 'P44010600123', fixmedins_name: '示例大药房', mdtrtarea_admvs: '440106', terminalId: 'POS-01' };
const isRoot = process.getuid?.() === 0;

let modules: TestModules;
let dir: string;
let countFile: string;
const logins = () => (existsSync(countFile) ? readFileSync(countFile).length : 0);

beforeAll(() => {
  modules = testModules();
  dir = mkdtempSync(path.join(tmpdir(), 'gp-token-guard-'));
  countFile = path.join(dir, 'logins');
  process.env.GP_LOGIN_COUNT_FILE = countFile;
  process.env.GP_TOKEN_FLAGS = `0x${HEALTHY.toString(16)}`;
});
afterEach(() => rmSync(countFile, { force: true }));
afterAll(() => {
  delete process.env.GP_LOGIN_COUNT_FILE;
  delete process.env.GP_TOKEN_FLAGS;
  rmSync(dir, { recursive: true, force: true });
});

/** A state directory of its own (0700, as the agent keeps it). */
function stateDir(): string {
  const d = mkdtempSync(path.join(dir, 'state-'));
  chmodSync(d, 0o700);
  return d;
}

const cfg = () => signTestConfig({ module: modules.flags, name: 'hsm' }, '000000');

async function signTest(state: string, checkId = 'hsm', now = new Date(2026, 10, 22, 9, 0, 0)) {
  return bySubject(await runOnce(cfg(), tokenContext({ checkId, stateDir: state, now: () => now })), 'hsm sign test');
}

describe('the login journal is kept in the state directory, durably', () => {
  it('a failed login leaves an owner-only, checksummed marker there, and a fresh process (empty check state) does not try again', async () => {
    const state = stateDir();
    expect(await signTest(state)).toMatchObject({ reason: 'login_failed', evidence: { ckr: 'CKR_PIN_INCORRECT', loginAttempted: true } });
    const journal = new LoginJournal(state, 'hsm', 'hsm');
    expect(path.dirname(journal.file)).toBe(path.join(state, LOGIN_JOURNAL_DIR));
    expect(statSync(journal.dir).mode & 0o777).toBe(0o700);
    expect(statSync(journal.file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(journal.file, 'utf8'))).toMatchObject({ day: '2026-11-22', failure: 'CKR_PIN_INCORRECT', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(existsSync(`${journal.file}.tmp`)).toBe(false);

    expect(await signTest(state, 'hsm', new Date(2026, 10, 22, 17, 0, 0))).toMatchObject({ reason: 'login_failed', evidence: { ckr: 'CKR_PIN_INCORRECT', loginAttempted: false } });
    expect(logins()).toBe(1);
    await signTest(state, 'hsm', new Date(2026, 10, 23, 9, 0, 0));
    expect(logins()).toBe(2); // a new day: one attempt
  });
});

describe('a journal anyone else could have written is not trusted: no login, and the reason says why', () => {
  const refused = async (state: string, why: RegExp) => {
    const r = await signTest(state);
    expect(r).toMatchObject({ status: 'fail', reason: 'sign_test_skipped', evidence: { loginAttempted: false } });
    expect(String(r.evidence.loginJournal)).toMatch(why);
    expect(r.message.en).toContain('not logging in');
    expect(logins()).toBe(0);
  };

  it('a journal directory writable by others', async () => {
    const state = stateDir();
    mkdirSync(path.join(state, LOGIN_JOURNAL_DIR));
    chmodSync(path.join(state, LOGIN_JOURNAL_DIR), 0o777);
    await refused(state, /token-logins is writable by group or others \(mode 0777\)/);
  });

  it('a state directory writable by its group', async () => {
    const state = stateDir();
    chmodSync(state, 0o770);
    await refused(state, /is writable by group or others \(mode 0770\)/);
  });

  it('a journal directory that is a symbolic link', async () => {
    const state = stateDir();
    const elsewhere = mkdtempSync(path.join(dir, 'elsewhere-'));
    symlinkSync(elsewhere, path.join(state, LOGIN_JOURNAL_DIR));
    await refused(state, /token-logins is a symbolic link/);
  });

  it('a marker that is a symbolic link', async () => {
    const state = stateDir();
    const journal = new LoginJournal(state, 'hsm', 'hsm');
    mkdirSync(journal.dir, { mode: 0o700 });
    symlinkSync(path.join(dir, 'nowhere'), journal.file);
    await refused(state, /\.login is a symbolic link/);
  });

  it.runIf(isRoot)('a marker or a directory owned by another user', async () => {
    const state = stateDir();
    const journal = new LoginJournal(state, 'hsm', 'hsm');
    journal.begin('2026-11-21'); // an earlier day's: it would be cleared, were it trusted
    chownSync(journal.file, 65534, 65534);
    await refused(state, /\.login is owned by uid 65534, not by the agent's user \(uid 0\)/);
    chownSync(journal.file, 0, 0);
    chownSync(journal.dir, 65534, 65534);
    await refused(state, /token-logins is owned by uid 65534/);
  });

  it('a damaged marker, or one copied from another token', async () => {
    const state = stateDir();
    const journal = new LoginJournal(state, 'hsm', 'hsm');
    journal.begin('2026-11-21');
    writeFileSync(journal.file, readFileSync(journal.file, 'utf8').replace('2026-11-21', '2026-11-20'));
    await refused(state, /is damaged or not this token's login marker/);
    const other = new LoginJournal(state, 'hsm', 'another-token');
    other.begin('2026-11-21');
    copyFileSync(other.file, journal.file);
    await refused(state, /is damaged or not this token's login marker/);
  });

  it('a state directory that does not exist', async () => {
    await refused(path.join(dir, 'no-such-state'), /the state directory .*no-such-state does not exist/);
  });
});

describe('across agent restarts, same state directory', () => {
  const agents: Agent[] = [];
  afterEach(async () => {
    await Promise.all(agents.splice(0).map((a) => a.stop(1000)));
    delete process.env.GP_LOGIN_CRASH;
  });

  async function startAgent(state: string): Promise<Agent> {
    const hsm = {
      type: 'token',
      intervalSeconds: 3600,
      timeoutSeconds: 20,
      tokens: [{ module: modules.flags, name: 'hsm', signTest: { enabled: true, pin: { env: 'GP_TEST_HSM_PIN' } } }],
    };
    const opts = { plugins: builtinPlugins, platform: currentPlatform(), faultCodes: new FaultCatalogue(builtinPlugins).codes(), env: { GP_TEST_HSM_PIN: '000000' } };
    const config = buildConfig({ site: SITE, checks: { hsm }, storage: { dir: state }, logging: { file: path.join(state, 'agent.log') } }, 'test', opts);
    const logger = createLogger({ level: 'warn', file: path.join(state, 'agent.log'), maxSizeMB: 5, maxFiles: 2, stdout: false });
    const agent = await Agent.start({ config, plugins: builtinPlugins, platform: currentPlatform(), logger, version: 'test', historyFlushMs: 100 });
    agents.push(agent);
    return agent;
  }

  it('a module that dies inside C_Login, then a reboot that empties the temp directory: still no second attempt that day', async () => {
    const state = stateDir();
    // The children's temp directory, emptied below as a reboot would empty /tmp.
    const temp = mkdtempSync(path.join(dir, 'tmp-'));
    const savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = temp;
    try {
      process.env.GP_LOGIN_CRASH = '1';
      const first = await startAgent(state);
      await first.runNow();
      expect(first.status().faults.find((f) => f.checkId === 'hsm')).toMatchObject({ code: 'TOKEN_MODULE_CRASHED', evidence: { signal: 'SIGSEGV' } });
      expect(logins()).toBe(1); // the child died inside the login: its run's state never reached the agent
      // The marker is in the configured state directory: ProbeContext.stateDir reached the isolated child.
      expect(new LoginJournal(state, 'hsm', 'hsm').read()).toEqual({ kind: 'marked', day: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
      await first.stop(1000);
      delete process.env.GP_LOGIN_CRASH;

      rmSync(temp, { recursive: true, force: true });
      mkdirSync(temp);

      const second = await startAgent(state);
      await second.runNow();
      const fault = second.status().faults.find((f) => f.subject === 'hsm sign test');
      expect(fault).toMatchObject({ code: 'TOKEN_LOGIN_FAILED', evidence: { loginAttempted: false, ckr: expect.stringContaining('interrupted') } });
      expect(logins()).toBe(1);
      await second.stop(1000);

      const third = await startAgent(state); // and again: the block is the day's, not one start's
      await third.runNow();
      expect(logins()).toBe(1);
    } finally {
      if (savedTmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = savedTmp;
    }
  });

  it('a plain wrong PIN: the next start knows it from the journal even without the state file', async () => {
    const state = stateDir();
    const first = await startAgent(state);
    await first.runNow();
    expect(logins()).toBe(1);
    await first.stop(1000);
    for (const f of ['state.json', 'state.json.bak']) rmSync(path.join(state, f), { force: true }); // the state lost

    const second = await startAgent(state);
    await second.runNow();
    expect(second.status().faults.find((f) => f.subject === 'hsm sign test')).toMatchObject({ code: 'TOKEN_LOGIN_FAILED', evidence: { ckr: 'CKR_PIN_INCORRECT', loginAttempted: false } });
    expect(logins()).toBe(1);
  });
});
