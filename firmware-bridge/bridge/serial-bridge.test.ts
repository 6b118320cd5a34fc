import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ReaderClient } from '../client/reader-client.js';
import { socatDevicePort, ttyPathPort } from '../emulator/emulator-port.js';
import { ReaderEmulator } from '../emulator/reader-emulator.js';
import type { ObservedExchange } from '../health/observed-exchange.js';
import { stxBccProfile as p } from '../profiles/stx-bcc.js';
import type { ReaderProfile } from '../profiles/types.js';
import { portUsers } from '../serial/port-users.js';
import { openSerialDevice } from '../serial/serial-tty.js';
import { startSocatPair, type SocatPair } from '../transport/socat-pair.js';
import { openTtyPort } from '../transport/tty-port.js';
import { startAppPty } from './app-pty.js';
import { SerialBridge, type SerialBridgeOptions } from './serial-bridge.js';
import { socatOrFailUnderCi } from '../test-support/socat-suite.js';

const haveSocat = socatOrFailUnderCi();

let dir: string;
const cleanups: Array<() => Promise<unknown> | unknown> = [];
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'gp-bridge-'));
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** Collects everything a stream emits. */
function collect(stream: Duplex): { bytes(): Buffer } {
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { bytes: () => Buffer.concat(chunks) };
}

let seq = 0;
async function startBridge(devicePath: string, overrides: Partial<SerialBridgeOptions> = {}, profile: ReaderProfile = p) {
  const linkPath = path.join(dir, `run-${++seq}`, 'reader0');
  await mkdir(path.dirname(linkPath));
  const bridge = new SerialBridge({
    profile,
    devicePath,
    openDevice: () => openSerialDevice(devicePath, profile.serialDefaults),
    app: { linkPath },
    idleProbeMs: 0,
    probeTimeoutMs: 300,
    probeRetries: 0,
    responseTimeoutMs: 300,
    reopenMs: 50,
    portUsers: null,
    ...overrides,
  });
  const exchanges: ObservedExchange[] = [];
  bridge.on('exchange', (e) => exchanges.push(e));
  await bridge.start();
  cleanups.push(() => bridge.close());
  return { bridge, linkPath, exchanges };
}

async function rawPair(): Promise<SocatPair> {
  const pair = await startSocatPair(path.join(dir, `dev-${++seq}`), path.join(dir, `peer-${seq}`));
  cleanups.push(() => pair.stop());
  return pair;
}

async function tty(pathname: string): Promise<Duplex> {
  const port = await openTtyPort(pathname);
  cleanups.push(() => port.destroy());
  return port;
}

describe.runIf(haveSocat)('bridge passthrough', () => {
  it('passes arbitrary bytes through unchanged in both directions (probes off)', async () => {
    const pair = await rawPair();
    const { bridge, linkPath } = await startBridge(pair.pathA);
    await waitFor('device open', () => bridge.snapshot().device.state === 'open');
    const app = await tty(linkPath);
    const peer = await tty(pair.pathB);
    const atPeer = collect(peer);
    const atApp = collect(app);
    const up = randomBytes(40_000);
    const down = randomBytes(40_000);
    for (let i = 0; i < up.length; i += 1000) app.write(up.subarray(i, i + 1000));
    for (let i = 0; i < down.length; i += 1000) peer.write(down.subarray(i, i + 1000));
    await waitFor('both directions delivered', () => atPeer.bytes().length >= up.length && atApp.bytes().length >= down.length, 10_000);
    expect(atPeer.bytes().equals(up)).toBe(true);
    expect(atApp.bytes().equals(down)).toBe(true);
    // Random bytes are mostly not frames: the side decoder counted them and still passed every byte.
    const snap = bridge.snapshot();
    expect(snap.traffic).toMatchObject({ bytesFromApp: up.length, bytesToApp: down.length, droppedFromApp: 0 });
    expect(snap.observer.framingErrors + snap.observer.checksumErrors).toBeGreaterThan(0);
  });

  it('keeps the pty at its stable path while the settlement software closes and reopens it; close() removes it', async () => {
    const pair = await rawPair();
    const { bridge, linkPath } = await startBridge(pair.pathA);
    const peer = await tty(pair.pathB);
    const atPeer = collect(peer);
    for (const round of [1, 2]) {
      const app = await openTtyPort(linkPath);
      app.write(Buffer.from([round]));
      await waitFor(`byte ${round}`, () => atPeer.bytes().length === round);
      await new Promise<void>((resolve) => app.once('close', () => resolve()).destroy());
    }
    expect(atPeer.bytes()).toEqual(Buffer.from([1, 2]));
    await bridge.close();
    expect(existsSync(linkPath)).toBe(false);
  });

  it('replaces a stale link left by a killed run, but never one a live bridge serves, nor anything that is not a link', async () => {
    const linkPath = path.join(dir, 'stale-reader');
    await import('node:fs/promises').then((fs) => fs.symlink('/dev/pts/nonexistent-9999', linkPath));
    const pty = await startAppPty({ linkPath });
    expect(existsSync(linkPath)).toBe(true);
    await expect(startAppPty({ linkPath })).rejects.toThrow(new RegExp(`already served by a running bridge \\(socat pid ${pty.pid}\\)`));
    expect(existsSync(linkPath)).toBe(true);
    await pty.stop();
    await writeFile(linkPath, 'not a link');
    await expect(startAppPty({ linkPath })).rejects.toThrow(/not a symlink; refusing/);
  });

  it('makes no directory for the link (the agent runs as root): a missing one is refused', async () => {
    const missing = path.join(dir, 'no-such-dir', 'deeper');
    await expect(startAppPty({ linkPath: path.join(missing, 'reader0') })).rejects.toThrow(`the directory ${missing} does not exist; create it first`);
    expect(existsSync(path.join(dir, 'no-such-dir'))).toBe(false);
  });
});

describe.runIf(haveSocat && process.getuid?.() === 0)('the pty for the settlement software', () => {
  it('gets the configured permissions and group, so a settlement software not running as root can open it', async () => {
    const { stat } = await import('node:fs/promises');
    const { execFileSync } = await import('node:child_process');
    const gid = Number(execFileSync('getent', ['group', 'dialout'], { encoding: 'utf8' }).split(':')[2]);
    await mkdir(path.join(dir, 'perm'));
    const pty = await startAppPty({ linkPath: path.join(dir, 'perm', 'reader0'), perm: '0660', group: 'dialout' });
    cleanups.push(() => pty.stop());
    const info = await stat(pty.linkPath);
    expect(info.mode & 0o777).toBe(0o660);
    expect(info.gid).toBe(gid);
  });
});

describe.runIf(haveSocat)('bridge with the emulator behind it', () => {
  async function emulated(options: Partial<SerialBridgeOptions> = {}) {
    const pair = await rawPair();
    const emulator = new ReaderEmulator({ profile: p, port: ttyPathPort(pair.pathB), firmwareVersion: 'BR-2.1' });
    await emulator.plug();
    cleanups.push(() => emulator.unplug());
    const started = await startBridge(pair.pathA, options);
    await waitFor('device open', () => started.bridge.snapshot().device.state === 'open');
    const client = new ReaderClient(await tty(started.linkPath), p, { timeoutMs: 500, retries: 0 });
    return { ...started, emulator, client };
  }

  it('times the settlement software\'s exchanges and reads what the reader says in them', async () => {
    const { bridge, client, exchanges, emulator } = await emulated();
    expect((await client.version()).value).toBe('BR-2.1');
    emulator.setHardwareFault(true);
    emulator.insertCard({ powered: true });
    expect((await client.status()).value).toMatchObject({ hardwareFault: true, cardPresent: true });
    await waitFor('two exchanges', () => exchanges.length === 2);
    expect(exchanges.map((e) => [e.source, e.command, e.outcome])).toEqual([
      ['app', 'version', 'ok'],
      ['app', 'status', 'ok'],
    ]);
    expect(exchanges[0]!.reply?.version).toBe('BR-2.1');
    expect(exchanges[1]!.reply).toMatchObject({ hardwareFault: true, readerStatus: { cardPresent: true } });
    expect(exchanges[1]!.latencyMs).toBeGreaterThan(0);
    expect(bridge.snapshot().latency.app.count).toBe(2);
  });

  it('counts the settlement software\'s timeouts, checksum errors and error statuses', async () => {
    const { bridge, client, exchanges, emulator } = await emulated();
    emulator.injectFaults({ noResponse: 1 });
    await expect(client.status({ timeoutMs: 400 })).rejects.toMatchObject({ code: 'no_response' });
    emulator.injectFaults({ badChecksum: 1 });
    await expect(client.status({ timeoutMs: 400 })).rejects.toMatchObject({ code: 'bad_frame' });
    emulator.setHardwareFault(true);
    await expect(client.selfTest()).rejects.toMatchObject({ code: 'error_status' });
    await waitFor('three exchanges', () => exchanges.length === 3);
    expect(exchanges.map((e) => [e.outcome, e.failed])).toEqual([
      ['timeout', true],
      ['timeout', true],
      ['error_status', false],
    ]);
    expect(exchanges[2]!.reply?.hardwareFault).toBe(true);
    expect(bridge.snapshot().observer).toMatchObject({ timeouts: 2, checksumErrors: 1, errorStatus: 1 });
  });

  it('counts line noise in front of a valid reply as noise, not as a failed exchange', async () => {
    const { bridge, client, exchanges, emulator } = await emulated();
    emulator.injectFaults({ garbage: true }); // 6 bytes without a sync byte before every reply
    for (let i = 0; i < 3; i++) expect((await client.status()).attempts).toBe(1);
    await waitFor('three exchanges', () => exchanges.length === 3);
    expect(exchanges.map((e) => [e.outcome, e.failed, e.noise])).toEqual(Array(3).fill(['ok', false, { sequences: 1, bytes: 6 }]));
    expect(bridge.snapshot().observer).toMatchObject({ responses: 3, timeouts: 0, framingErrors: 3 });
  });

  it('probes an idle line by itself, and never while the settlement software\'s exchange is in flight', async () => {
    const { bridge, client, exchanges, emulator } = await emulated({ idleProbeMs: 15, versionEvery: 3 });
    // The wire as the reader sees it: every request must be answered before the next one arrives.
    const wire: string[] = [];
    emulator.on('request', () => wire.push('Q'));
    emulator.on('reply', () => wire.push('R'));
    for (let i = 0; i < 60; i++) {
      const reply = await (i % 2 ? client.status() : client.version());
      expect(reply.attempts).toBe(1);
      await sleep(Math.floor(Math.random() * 30));
    }
    await waitFor('some probes', () => bridge.snapshot().probes.count >= 3);
    const probes = exchanges.filter((e) => e.source === 'probe');
    expect(probes.length).toBeGreaterThanOrEqual(3);
    expect(probes.every((e) => e.outcome === 'ok')).toBe(true);
    expect(probes.map((e) => e.command)).toContain('version');
    expect(exchanges.filter((e) => e.source === 'app' && e.outcome === 'ok')).toHaveLength(60);
    expect(wire.join('')).toMatch(/^(QR)+Q?$/);
  });

  it('a probe that finds the reader dead is an exchange like any other', async () => {
    const { exchanges, emulator } = await emulated({ idleProbeMs: 10 });
    emulator.injectFaults({ noResponse: true });
    const dead = await waitFor('a failed probe', () => exchanges.find((e) => e.source === 'probe' && e.outcome === 'timeout'));
    expect(dead).toMatchObject({ command: 'status', failed: true, latencyMs: null });
  });

  it('probes a newly opened port within a second, however long idleProbeMs is; never with probes off', async () => {
    const { bridge, exchanges } = await emulated({ idleProbeMs: 60_000 });
    const first = await waitFor('the first probe', () => exchanges.find((e) => e.source === 'probe'), 1500);
    expect(first).toMatchObject({ command: 'status', outcome: 'ok', failed: false });
    await sleep(400);
    expect(bridge.snapshot().probes.count).toBe(1); // then the idle time applies again

    const off = await emulated({ idleProbeMs: 0 });
    await sleep(600);
    expect(off.bridge.snapshot().probes.count).toBe(0);
  });
});

describe.runIf(haveSocat)('bridge and the physical port coming and going', () => {
  it('sees a USB-serial unplug at once, keeps the settlement software\'s pty, and reopens on replug', async () => {
    const device = socatDevicePort(path.join(dir, 'ttyUSB-emu'));
    const emulator = new ReaderEmulator({ profile: p, port: device });
    await emulator.plug();
    cleanups.push(() => emulator.unplug());
    const { bridge, linkPath } = await startBridge(device.devicePath);
    await waitFor('device open', () => bridge.snapshot().device.state === 'open');
    const states: string[] = [];
    bridge.on('device', (state) => states.push(state));
    const client = new ReaderClient(await tty(linkPath), p, { timeoutMs: 300, retries: 0 });
    expect((await client.status()).attempts).toBe(1);

    const t0 = performance.now();
    await emulator.unplug();
    await waitFor('missing', () => bridge.snapshot().device.state === 'missing');
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(existsSync(linkPath)).toBe(true);
    await expect(client.status()).rejects.toMatchObject({ code: 'no_response' });
    expect(bridge.snapshot().traffic.droppedFromApp).toBeGreaterThan(0);

    await emulator.replug();
    await waitFor('reopened', () => bridge.snapshot().device.state === 'open');
    expect((await client.status()).attempts).toBe(1);
    expect(states).toEqual(['missing', 'open']);
    expect(bridge.snapshot().device).toMatchObject({ opens: 2, losses: 1 });
  });

  it('leaves a physical port alone while another program has it open (settlement software not yet repointed)', async () => {
    const pair = await rawPair();
    const holder = spawn('sh', ['-c', `exec 3<>"${pair.pathA}"; exec sleep 30`], { stdio: 'ignore' });
    cleanups.push(() => holder.kill('SIGTERM'));
    const users = (devicePath: string) => portUsers(devicePath, { excludePids: [process.pid, pair.pid] });
    const { bridge } = await startBridge(pair.pathA, { portUsers: users });
    const busy = await waitFor('busy', () => (bridge.snapshot().device.state === 'busy' ? bridge.snapshot().device : undefined));
    expect(busy.detail).toMatch(/in use by sleep \(pid \d+\)/);
    holder.kill('SIGTERM');
    await waitFor('opened after the holder left', () => bridge.snapshot().device.state === 'open');
  });

  it('counts a lone NAK byte as a NAK for a profile that has one', async () => {
    const nakProfile: ReaderProfile = { ...p, id: 'stx-bcc-nak', nakByte: 0x15 };
    const pair = await rawPair();
    const { bridge, linkPath, exchanges } = await startBridge(pair.pathA, {}, nakProfile);
    await waitFor('device open', () => bridge.snapshot().device.state === 'open');
    const peer = await tty(pair.pathB);
    peer.on('data', () => peer.write(Buffer.from([0x15])));
    const app = await tty(linkPath);
    app.write(p.encodeRequest({ cmd: 0x32, data: new Uint8Array(0) }));
    const nak = await waitFor('the NAK', () => exchanges[0]);
    expect(nak).toMatchObject({ outcome: 'error_status', failed: true, reply: null });
    expect(bridge.snapshot().observer).toMatchObject({ naks: 1, framingErrors: 0 });
  });
});
