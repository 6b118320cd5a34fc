import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { socatDevicePort } from '../../firmware-bridge/emulator/emulator-port.js';
import { ReaderEmulator } from '../../firmware-bridge/emulator/reader-emulator.js';
import { stxBccProfile } from '../../firmware-bridge/profiles/stx-bcc.js';
import { socatOrFailUnderCi } from '../../firmware-bridge/test-support/socat-suite.js';
import { startSocatPair, type SocatPair } from '../../firmware-bridge/transport/socat-pair.js';

/*
 * `guardpost check` and `guardpost config validate` on card readers, from dist/ as an operator runs them: a verdict is
 * never "fine" without an observation, and reader settings the schema cannot judge are config errors (exit 78).
 */
const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'guardpost.js');
const tmp = mkdtempSync(join(tmpdir(), 'gp-cli-reader-'));
const SITE = { fixmedins_code: 'P44010600123', fixmedins_name: '示例大药房', mdtrtarea_admvs: '440106', terminalId: 'POS-01' };
const haveSocat = socatOrFailUnderCi();

/** Async: the emulator answering the check lives in this process. */
function guardpost(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH, HOME: tmp }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

/**
 * One reader check. Its run timeout is generous: a one-shot run shares it with the isolated child's start, which a
 * loaded test VM stretches past the default 0.8 s; what is tested here is the verdict, not the start-up.
 */
function config(name: string, reader: Record<string, unknown>): string {
  const file = join(tmp, `${name}.json`);
  const check = { type: 'reader', intervalSeconds: 10, timeoutSeconds: 5, ...reader };
  writeFileSync(file, JSON.stringify({ site: SITE, checks: { reader1: check } }, null, 2));
  return file;
}

/** 1-based line and column of the first occurrence of `text` in the file. */
function position(file: string, text: string): { line: number; column: number } {
  const lines = readFileSync(file, 'utf8').split('\n');
  const line = lines.findIndex((l) => l.includes(text));
  return { line: line + 1, column: lines[line]!.indexOf(text) + 1 };
}

beforeAll(() => {
  if (!existsSync(join(root, 'dist/agent/cli/main.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does it)');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.runIf(haveSocat)('guardpost check on card readers', () => {
  const cleanups: Array<() => unknown> = [];
  let silent: SocatPair;
  let silentReader: ChildProcess;
  let held: SocatPair;
  let emulator: ReaderEmulator;
  let emulatedPort = '';

  beforeAll(async () => {
    // One end of a pty pair, and on the other a process that reads every request and never replies.
    silent = await startSocatPair(join(tmp, 'ttyS-silent'), join(tmp, 'ttyS-silent-peer'));
    silentReader = spawn('sh', ['-c', `exec cat < "${silent.pathB}" > /dev/null`], { stdio: 'ignore' });
    held = await startSocatPair(join(tmp, 'ttyS-held'), join(tmp, 'ttyS-held-peer'));
    const device = socatDevicePort(join(tmp, 'ttyUSB0'));
    emulator = new ReaderEmulator({ profile: stxBccProfile, port: device, firmwareVersion: 'D8-V3.20' });
    await emulator.plug();
    emulatedPort = device.devicePath;
    cleanups.push(() => emulator.unplug(), () => silentReader.kill('SIGKILL'), () => silent.stop(), () => held.stop());
  });
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('a reader that never answers is not "fine": no verdict yet (pending), and the exit code is not 0', async () => {
    const file = config('silent', { mode: 'serial-probe', port: silent.pathA, serial: { inUseCheck: 'lock' } });
    const r = await guardpost(['check', '--lang', 'en', '--config', file]);
    expect(r.out).not.toContain('is fine');
    expect(r.out).toContain('has no verdict yet: its first probe has not finished');
    expect(r.out).toContain('pending');
    expect(r.code).toBe(1);
    const json = JSON.parse((await guardpost(['check', '--json', '--config', file])).out);
    expect(json.findings).toMatchObject([{ check: 'reader1', result: { status: 'fail', reason: 'pending', evidence: { probes: 0, observed: false } } }]);
    expect(json.findings[0].fault).toBeUndefined();
  });

  it('a port another program holds is "not observed", names the holder and bridge mode, and is not exit 0', async () => {
    // socat keeps its ptys open itself: to the /proc look (inUseCheck "processes", the default) the port is held.
    const file = config('held', { mode: 'serial-probe', port: held.pathA });
    const r = await guardpost(['check', '--lang', 'en', '--config', file]);
    expect(r.out).toMatch(/reader .* not observed for \d+ s: its port is held by socat \(pid \d+\), so it cannot be probed; to watch a port the settlement software holds, use bridge mode \(mode: serial-bridge\)/);
    expect(r.out).not.toContain('is fine');
    expect(r.code).toBe(1);
  });

  it('a reader that answers is fine, from its own probe (exit 0)', async () => {
    const file = config('answering', { mode: 'serial-probe', port: emulatedPort, serial: { inUseCheck: 'lock' } });
    const json = JSON.parse((await guardpost(['check', '--json', '--config', file])).out);
    expect(json.findings).toMatchObject([{ result: { status: 'ok', evidence: { probes: 1, observed: true, firmwareVersion: 'D8-V3.20' } } }]);
    expect((await guardpost(['check', '--config', file])).code).toBe(0);
  });
});

describe('guardpost config validate on reader settings', () => {
  it('an unknown reader profile is a config error with path, line and column, naming the known profiles', async () => {
    const file = config('profile', { mode: 'serial-probe', port: '/dev/ttyUSB0', profile: 'decard' });
    const r = await guardpost(['config', 'validate', file]);
    expect(r.code).toBe(78);
    const at = position(file, '"decard"');
    expect(r.err).toContain(`checks.reader1.profile (line ${at.line}, column ${at.column}): unknown reader profile "decard"; known: stx-bcc`);
    expect((await guardpost(['check', '--config', file])).code).toBe(78);
  });

  it('a bridge link in a directory that does not exist is refused at load, and no directory is made', async () => {
    const missing = join(tmp, 'no-such-dir', 'sub');
    const file = config('bridge-dir', { mode: 'serial-bridge', port: '/dev/ttyUSB0', bridge: { path: join(missing, 'reader0') } });
    const r = await guardpost(['config', 'validate', file]);
    expect(r.code).toBe(78);
    expect(r.err).toContain(`checks.reader1.bridge.path (line`);
    expect(r.err).toContain(`the directory ${missing} does not exist; create it first (the bridge creates only /run/guardpost itself)`);
    expect((await guardpost(['check', '--config', file])).code).toBe(78);
    expect(existsSync(join(tmp, 'no-such-dir'))).toBe(false);
  });

  it('mode requirements are load errors too (exit 78), not run-time CHECK_ERRORs', async () => {
    const r = await guardpost(['config', 'validate', config('no-port', { mode: 'serial-probe' })]);
    expect(r.code).toBe(78);
    expect(r.err).toContain('checks.reader1.port');
    expect(r.err).toContain('required when mode is "serial-probe"');
  });
});
