import { existsSync } from 'node:fs';
import { lstat, mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ReaderClient } from '../client/reader-client.js';
import { ReaderError } from '../client/reader-error.js';
import { stxBccProfile as p } from '../profiles/stx-bcc.js';
import { socatAvailable, startSocatPair, type SocatPair } from '../transport/socat-pair.js';
import { openTtyPort } from '../transport/tty-port.js';
import { socatDevicePort, ttyPathPort, type SocatDevicePort } from './emulator-port.js';
import { ReaderEmulator } from './reader-emulator.js';

/*
 * Client ↔ emulator over real pseudo-terminals made by socat (test-environment notes: `socat -d -d pty,raw,echo=0,...`).
 * Skipped where socat is missing, except under CI, where a missing socat must fail rather than pass silently.
 */

const haveSocat = socatAvailable();

it.runIf(!haveSocat && process.env.CI === 'true')('socat is installed (apt-get install socat)', () => {
  expect(haveSocat).toBe(true);
});

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'gp-reader-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function errorOf(promise: Promise<unknown>): Promise<ReaderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ReaderError);
  return error as ReaderError;
}

describe.runIf(haveSocat)('socat pair helper', () => {
  it('replaces a stale dangling link, and SIGTERM removes both links', async () => {
    const a = path.join(dir, 'stale-a');
    const b = path.join(dir, 'stale-b');
    await symlink('/dev/pts/nonexistent-9999', a); // what a SIGKILLed socat leaves behind
    const pair = await startSocatPair(a, b);
    expect((await lstat(a)).isSymbolicLink()).toBe(true);
    expect(existsSync(a) && existsSync(b)).toBe(true); // existsSync follows the link: it points at a live pty now
    await pair.stop();
    await pair.stop(); // idempotent
    expect(existsSync(a) || existsSync(b)).toBe(false);
  });

  it('fails clearly when socat cannot start', async () => {
    await expect(startSocatPair(path.join(dir, 'x'), path.join(dir, 'y'), { socatPath: '/nonexistent/socat' })).rejects.toThrow(
      /cannot run socat/,
    );
  });
});

describe.runIf(haveSocat)('client ↔ emulator on a socat pty pair (emulator on one end, like a serial cable)', () => {
  let pair: SocatPair;
  let emulator: ReaderEmulator;
  let client: ReaderClient;

  beforeAll(async () => {
    pair = await startSocatPair(path.join(dir, 'ttyHost'), path.join(dir, 'ttyReader'));
    emulator = new ReaderEmulator({ profile: p, port: ttyPathPort(pair.pathB), firmwareVersion: 'EMU-PTY-1' });
    await emulator.plug();
    client = new ReaderClient(await openTtyPort(pair.pathA), p, { timeoutMs: 300, retries: 1 });
  });
  afterEach(() => emulator.clearFaults());
  afterAll(async () => {
    await client.close();
    await emulator.unplug();
    await pair.stop();
  });

  it('round-trips every command of the table', async () => {
    expect((await client.version()).value).toBe('EMU-PTY-1');
    expect((await client.status()).value).toEqual({ cardPresent: false, cardPowered: false, hardwareFault: false, raw: 0 });
    await client.beep(100);
    await client.selfTest();
    expect(emulator.snapshot().counters).toMatchObject({ requests: 4, replies: 4, beeps: 1 });
  });

  it('carries 200 sequential exchanges without a lost or corrupted frame', async () => {
    const before = client.stats();
    for (let i = 0; i < 200; i++) expect((await client.status()).attempts).toBe(1);
    const after = client.stats();
    expect(after.responses - before.responses).toBe(200);
    expect(after.decoder.frameBytes - before.decoder.frameBytes).toBe(after.decoder.bytesFed - before.decoder.bytesFed);
  });

  it('card inserted and removed', async () => {
    emulator.insertCard({ powered: true });
    expect((await client.status()).value).toMatchObject({ cardPresent: true, cardPowered: true });
    emulator.removeCard();
    expect((await client.status()).value).toMatchObject({ cardPresent: false, cardPowered: false });
  });

  it('hardware-fault flag', async () => {
    emulator.setHardwareFault(true);
    expect((await client.status()).value.hardwareFault).toBe(true);
    expect(await errorOf(client.selfTest())).toMatchObject({ code: 'error_status', status: p.statusCodes.hardwareFault });
    emulator.setHardwareFault(false);
  });

  it('firmware version changed at run time', async () => {
    emulator.setFirmwareVersion('EMU-PTY-2');
    expect((await client.version()).value).toBe('EMU-PTY-2');
  });

  it('no response', async () => {
    emulator.injectFaults({ noResponse: true });
    expect(await errorOf(client.status({ timeoutMs: 100 }))).toMatchObject({ code: 'no_response', attempts: 2 });
  });

  it('slow response within the timeout, and beyond it', async () => {
    emulator.injectFaults({ delayMs: 120 });
    const slow = await client.version();
    expect(slow.latencyMs).toBeGreaterThanOrEqual(115);
    expect(slow.attempts).toBe(1);
    // Beyond the timeout: both attempts expire before their replies, which then arrive as unexpected frames.
    const before = client.stats().unexpectedFrames;
    expect((await errorOf(client.version({ timeoutMs: 50, retries: 1 }))).code).toBe('no_response');
    await sleep(250);
    expect(client.stats().unexpectedFrames - before).toBe(2);
  });

  it('garbage bytes before the reply', async () => {
    emulator.injectFaults({ garbage: true, garbageBytes: Uint8Array.from([0xde, 0xad, 0xbe, 0xef, 0x03]) });
    const before = client.stats().decoder.rejected.garbage.bytes;
    expect((await client.version()).value).toBe('EMU-PTY-2');
    expect(client.stats().decoder.rejected.garbage.bytes - before).toBe(5);
  });

  it('bad BCC', async () => {
    emulator.injectFaults({ badChecksum: true });
    const error = await errorOf(client.status({ timeoutMs: 100 }));
    expect(error.code).toBe('bad_frame');
    expect(error.rejections.map((r) => [r.reason, r.length])).toEqual([
      ['bad_checksum', 8],
      ['bad_checksum', 8],
    ]);
    expect(error.rejections[1]!.offset - error.rejections[0]!.offset).toBe(8);
  });

  it('unplug by closing the emulator port (cable pulled): no response, then answers again after replug', async () => {
    await emulator.unplug();
    expect(await errorOf(client.status({ timeoutMs: 100 }))).toMatchObject({ code: 'no_response' });
    expect(client.isClosed).toBe(false); // the host's pty stays: an RS-232 reader going silent looks like this
    await emulator.replug();
    expect((await client.status()).attempts).toBe(1);
  });
});

describe.runIf(haveSocat)('emulator owning its device node (socat pair per plug, like a USB-serial reader)', () => {
  let device: SocatDevicePort;
  let emulator: ReaderEmulator;

  beforeAll(async () => {
    device = socatDevicePort(path.join(dir, 'reader0'));
    emulator = new ReaderEmulator({ profile: p, port: device });
    await emulator.plug();
  });
  afterAll(async () => {
    await emulator.unplug();
  });

  it('unplug closes the host port at once and removes the device node; replug brings it back at the same path', async () => {
    const client = new ReaderClient(await openTtyPort(device.devicePath), p, { timeoutMs: 2000, retries: 0 });
    expect((await client.version()).value).toBe('EMU-1.0.0');

    emulator.injectFaults({ noResponse: true });
    const failure = errorOf(client.status()); // handler attached now: the rejection lands during unplug()
    await sleep(20);
    const unplugged = performance.now();
    await emulator.unplug();
    const error = await failure;
    expect(error.code).toBe('port_closed');
    expect(performance.now() - unplugged).toBeLessThan(1000); // the event, not the 2 s timeout
    expect(existsSync(device.devicePath)).toBe(false);
    await expect(openTtyPort(device.devicePath)).rejects.toMatchObject({ code: 'ENOENT' });

    emulator.clearFaults();
    await emulator.replug();
    expect(existsSync(device.devicePath)).toBe(true);
    const reopened = new ReaderClient(await openTtyPort(device.devicePath), p, { timeoutMs: 500 });
    expect((await reopened.status()).value.cardPresent).toBe(false);
    await reopened.close();
    await client.close();
  });
});
