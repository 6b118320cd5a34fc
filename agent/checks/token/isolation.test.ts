import { mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pkcs11js from 'pkcs11js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkCommand } from '../../cli/check-command.js';
import { buildConfig } from '../../core/config/load.js';
import { FaultCatalogue } from '../../core/faults/catalogue.js';
import { createLogger } from '../../core/logging/index.js';
import { Agent } from '../../core/runtime/agent.js';
import { currentPlatform } from '../../platform/index.js';
import { builtinPlugins } from '../all.js';
import { testModules, type TestModules } from './test-support/modules.js';

// The vendor-module failures the isolation exists for, end to end: a real agent runs the token check in the core's
// supervised child process, with test modules that hang in C_GetSlotList and segfault there.
const SITE = { fixmedins_code: 'P44010600123', fixmedins_name: '示例大药房', mdtrtarea_admvs: '440106', terminalId: 'POS-01' };
const platform = currentPlatform();

let modules: TestModules;
let dir: string;
const agents: Agent[] = [];

beforeAll(() => {
  modules = testModules();
  dir = mkdtempSync(path.join(tmpdir(), 'gp-token-iso-'));
  // Children inherit the agent's environment: the flags module then reports a final PIN try.
  process.env.GP_TOKEN_FLAGS = `0x${(pkcs11js.CKF_TOKEN_INITIALIZED | pkcs11js.CKF_USER_PIN_FINAL_TRY).toString(16)}`;
  // The hang module writes the pid of the process it got stuck in.
  process.env.GP_HANG_PID_FILE = path.join(dir, 'hung.pid');
});
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.stop(1000)));
});
afterAll(() => {
  delete process.env.GP_TOKEN_FLAGS;
  delete process.env.GP_HANG_PID_FILE;
  rmSync(dir, { recursive: true, force: true });
});

/** A module path that can be pointed at another build between runs, as a driver upgrade would. */
function swappable(name: string, target: string): { path: string; point(to: string): void } {
  const link = path.join(dir, `${name}.so`);
  const point = (to: string) => {
    rmSync(link, { force: true });
    symlinkSync(to, link);
  };
  point(target);
  return { path: link, point };
}

/** True once `pid` no longer exists (SIGKILLed children are reaped shortly after the run is given up). */
async function gone(pid: number, withinMs = 5000): Promise<boolean> {
  for (const until = Date.now() + withinMs; Date.now() < until; await new Promise((r) => setTimeout(r, 50))) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
  }
  return false;
}

// Generous: from the .ts sources each child first loads tsx, which on a busy 2-core machine can take seconds; the
// hang must be what times out, not the start (the pid file proves it).
const TIMEOUT_SECONDS = 10;
const tokenCheck = (module: string) => ({ type: 'token', intervalSeconds: 3600, timeoutSeconds: TIMEOUT_SECONDS, tokens: [{ module, name: 'usbkey' }] });

async function startAgent(checks: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): Promise<Agent> {
  const state = mkdtempSync(path.join(dir, 'agent-'));
  const config = buildConfig({ site: SITE, checks, storage: { dir: state }, logging: { file: path.join(state, 'agent.log') } }, 'test', {
    plugins: builtinPlugins,
    platform,
    faultCodes: new FaultCatalogue(builtinPlugins).codes(),
    env,
  });
  const logger = createLogger({ level: 'warn', file: path.join(state, 'agent.log'), maxSizeMB: 5, maxFiles: 2, stdout: false });
  const agent = await Agent.start({ config, plugins: builtinPlugins, platform, logger, version: 'test', historyFlushMs: 100 });
  agents.push(agent);
  return agent;
}

describe('token check isolation (real agent, supervised child process)', () => {
  it('reports a hung module as TOKEN_MODULE_HUNG and a crashing one as TOKEN_MODULE_CRASHED, while other checks go on', async () => {
    const hung = swappable('hung', modules.hang);
    const crashing = swappable('crashing', modules.crash);
    const agent = await startAgent({
      'usbkey-hung': tokenCheck(hung.path),
      'usbkey-crash': tokenCheck(crashing.path),
      'usbkey-ok': tokenCheck(modules.flags),
    });
    const started = Date.now();
    await agent.runNow();
    expect(Date.now() - started).toBeLessThan((TIMEOUT_SECONDS + 10) * 1000); // the hung module was given up on

    // It was stuck inside C_GetSlotList, in a child process that is gone now.
    const hungPid = Number(readFileSync(process.env.GP_HANG_PID_FILE!, 'utf8'));
    expect(hungPid).not.toBe(process.pid);
    expect(await gone(hungPid)).toBe(true);

    const faults = () => Object.fromEntries(agent.status().faults.map((f) => [f.checkId, f]));
    expect(faults()['usbkey-hung']).toMatchObject({ code: 'TOKEN_MODULE_HUNG', severity: 'major', subject: 'usbkey-hung', evidence: { timeoutSeconds: TIMEOUT_SECONDS } });
    expect(faults()['usbkey-crash']).toMatchObject({ code: 'TOKEN_MODULE_CRASHED', severity: 'major', evidence: { signal: 'SIGSEGV', phase: 'run' } });
    expect(faults()['usbkey-ok']).toMatchObject({ code: 'TOKEN_PIN_FINAL_TRY', subject: 'usbkey' });
    expect(agent.status().faults.map((f) => f.code)).not.toContain('CHECK_TIMEOUT');
    expect(agent.status().faults.map((f) => f.code)).not.toContain('CHECK_CRASHED');

    // Still broken on the next run: a fresh child, the same fault, the agent unharmed.
    await agent.runNow(['usbkey-crash']);
    expect(faults()['usbkey-crash']!.occurrences).toBe(2);

    // The drivers get fixed (pointed at a working module): the next run recovers without restarting the agent.
    hung.point(modules.flags);
    crashing.point(modules.flags);
    await agent.runNow(['usbkey-hung', 'usbkey-crash']);
    expect(faults()['usbkey-hung']?.code).toBe('TOKEN_PIN_FINAL_TRY');
    expect(faults()['usbkey-crash']?.code).toBe('TOKEN_PIN_FINAL_TRY');
    expect(agent.status().faults.map((f) => f.code)).not.toContain('TOKEN_MODULE_HUNG');
    expect(agent.status().faults.map((f) => f.code)).not.toContain('TOKEN_MODULE_CRASHED');
    unlinkSync(hung.path);
  });

  it('the sign test gets its PIN from the config loader as a Secret, and the failed login is not retried across runs', async () => {
    const countFile = path.join(dir, 'logins');
    const saved = process.env.GP_TOKEN_FLAGS;
    process.env.GP_TOKEN_FLAGS = `0x${(pkcs11js.CKF_TOKEN_INITIALIZED | pkcs11js.CKF_USER_PIN_INITIALIZED).toString(16)}`;
    process.env.GP_LOGIN_COUNT_FILE = countFile;
    try {
      const hsm = { ...tokenCheck(modules.flags), tokens: [{ module: modules.flags, name: 'hsm', signTest: { enabled: true, pin: { env: 'GP_TEST_HSM_PIN' } } }] };
      // The login journal is kept in the agent's state directory, a fresh one per agent here.
      const checkId = `hsm-${Date.now()}`;
      const agent = await startAgent({ [checkId]: hsm }, { GP_TEST_HSM_PIN: '000000' });
      await agent.runNow();
      await agent.runNow();
      expect(agent.status().faults.find((f) => f.subject === 'hsm sign test')).toMatchObject({ code: 'TOKEN_LOGIN_FAILED', occurrences: 2 });
      expect(readFileSync(countFile).length).toBe(1); // the second run was told by the persisted state not to try
    } finally {
      process.env.GP_TOKEN_FLAGS = saved;
      delete process.env.GP_LOGIN_COUNT_FILE;
    }
  });

  it('`guardpost check` names the plugin\'s own fault for a crashed run too', async () => {
    const file = path.join(dir, 'check.json');
    writeFileSync(file, JSON.stringify({ site: SITE, checks: { 'usbkey-ok': tokenCheck(modules.flags), 'usbkey-crash': tokenCheck(modules.crash) } }));
    let out = '';
    const code = await checkCommand(['--json', '--config', file], { out: (s) => void (out += s), err: () => undefined, env: process.env });
    const findings = (JSON.parse(out) as { findings: { check: string; fault?: { code: string } }[] }).findings;
    expect(Object.fromEntries(findings.map((f) => [f.check, f.fault?.code]))).toEqual({
      'usbkey-ok': 'TOKEN_PIN_FINAL_TRY',
      'usbkey-crash': 'TOKEN_MODULE_CRASHED',
    });
    expect(code).toBe(2); // worst finding major
  });
});
