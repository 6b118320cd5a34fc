import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReaderClient } from '../../firmware-bridge/client/reader-client.js';
import { stxBccProfile as p } from '../../firmware-bridge/profiles/stx-bcc.js';
import { socatAvailable, startSocatPair } from '../../firmware-bridge/transport/socat-pair.js';
import { openTtyPort } from '../../firmware-bridge/transport/tty-port.js';

// `guardpost emulate-reader` as a person (or the demo) runs it: the built CLI, real socat ptys.
const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'guardpost.js');
const haveSocat = socatAvailable();
const tmp = mkdtempSync(join(tmpdir(), 'gp-emu-cli-'));

beforeAll(() => {
  if (!existsSync(join(root, 'dist/agent/cli/emulate-reader-command.js'))) throw new Error('dist/ has no emulate-reader: run `npm run build` (npm test does it)');
});
const children: ChildProcessWithoutNullStreams[] = [];
afterAll(() => {
  // A failed test may leave its emulator running: it must not outlive the run.
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

function run(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Starts the emulator; resolves once it printed that it runs. */
async function emulate(args: string[]): Promise<{ child: ChildProcessWithoutNullStreams; output: () => string; waitFor(text: string): Promise<void> }> {
  const child = spawn(process.execPath, [bin, 'emulate-reader', ...args], { stdio: 'pipe' });
  children.push(child);
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const waitFor = async (text: string) => {
    const deadline = Date.now() + 10_000;
    while (!output.includes(text)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no "${text}" in: ${output}`);
      await sleep(10);
    }
  };
  await waitFor('type "help" for commands');
  return { child, output: () => output, waitFor };
}

async function exited(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('guardpost emulate-reader', () => {
  it('documents its options, commands and signals, and refuses bad usage with exit 64', () => {
    const help = run(['emulate-reader', '--help']);
    expect(help.code).toBe(0);
    for (const word of ['--port PATH', '--pair', '--profile ID', '--control FIFO', 'noresponse on|off|N', 'badbcc', 'SIGUSR1', 'SIGUSR2']) expect(help.out).toContain(word);
    expect(run(['--help']).out).toContain('emulate-reader');
    expect(run(['emulate-reader']).code).toBe(64);
    const badProfile = run(['emulate-reader', '--pair', '--profile', 'nope']);
    expect(badProfile.code).toBe(64);
    expect(badProfile.err).toContain('unknown reader profile "nope"');
    expect(run(['emulate-reader', '--port', join(tmp, 'no-such-tty')]).err).toContain('no such device (use --pair');
  });

  it.runIf(haveSocat)('--pair makes a USB-serial-like device; stdin, the control pipe and signals change it while it runs', async () => {
    const device = join(tmp, 'reader0');
    const control = join(tmp, 'control');
    const emu = await emulate(['--pair', '--port', device, '--control', control, '--firmware', 'CLI-1.0']);
    expect(emu.output()).toContain(`reader device (point the reader check or the settlement software here): ${device}`);
    expect(emu.output()).toContain(`emulator end of the socat pair: ${device}.emulator`);
    let client = new ReaderClient(await openTtyPort(device), p, { timeoutMs: 500, retries: 0 });
    expect((await client.version()).value).toBe('CLI-1.0');

    emu.child.stdin.write('fw CLI-2.0\ncard in\n');
    await emu.waitFor('card inserted');
    expect((await client.version()).value).toBe('CLI-2.0');
    expect((await client.status()).value.cardPresent).toBe(true);

    writeFileSync(control, 'unplug\n');
    await emu.waitFor('unplugged');
    expect(existsSync(device)).toBe(false);
    await client.close();

    emu.child.kill('SIGUSR1'); // toggles: plugs back in
    await emu.waitFor('plugged in');
    expect(existsSync(device)).toBe(true);
    client = new ReaderClient(await openTtyPort(device), p, { timeoutMs: 500, retries: 0 });
    emu.child.kill('SIGUSR2');
    await emu.waitFor('hardware fault on');
    expect((await client.status()).value.hardwareFault).toBe(true);

    emu.child.stdin.write('bogus\n');
    await emu.waitFor('unknown command "bogus"');
    await client.close();
    emu.child.kill('SIGTERM');
    expect(await exited(emu.child)).toBe(0);
    expect(existsSync(device)).toBe(false);
  });

  it.runIf(haveSocat)('--port speaks on an existing device; unplug closes only its own end', async () => {
    const pair = await startSocatPair(join(tmp, 'host'), join(tmp, 'emu'));
    try {
      const emu = await emulate(['--port', pair.pathB]);
      const client = new ReaderClient(await openTtyPort(pair.pathA), p, { timeoutMs: 200, retries: 0 });
      expect((await client.status()).attempts).toBe(1);
      emu.child.stdin.write('unplug\n');
      await emu.waitFor('unplugged');
      await expect(client.status()).rejects.toMatchObject({ code: 'no_response' });
      expect(existsSync(pair.pathA)).toBe(true);
      await client.close();
      emu.child.kill('SIGINT');
      expect(await exited(emu.child)).toBe(0);
    } finally {
      await pair.stop();
    }
  });
});
