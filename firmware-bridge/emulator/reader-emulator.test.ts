import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { ReaderClient } from '../client/reader-client.js';
import { ReaderError } from '../client/reader-error.js';
import { stxBccProfile as p } from '../profiles/stx-bcc.js';
import { memoryDevicePort, type MemoryDevicePort } from './emulator-port.js';
import { ReaderEmulator } from './reader-emulator.js';

let port: MemoryDevicePort;
let emulator: ReaderEmulator;
let client: ReaderClient;

async function start(options: { firmwareVersion?: string; interByteTimeoutMs?: number } = {}) {
  port = memoryDevicePort();
  emulator = new ReaderEmulator({ profile: p, port, ...options });
  await emulator.plug();
  client = new ReaderClient(port.host(), p, { timeoutMs: 80, retries: 1 });
}

afterEach(async () => {
  await client?.close();
  await emulator?.unplug();
});

async function errorOf(promise: Promise<unknown>): Promise<ReaderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ReaderError);
  return error as ReaderError;
}

describe('ReaderEmulator device state', () => {
  it('reports its firmware version, changeable at run time', async () => {
    await start({ firmwareVersion: 'DC-3.20' });
    expect((await client.version()).value).toBe('DC-3.20');
    emulator.setFirmwareVersion('DC-4.00');
    expect((await client.version()).value).toBe('DC-4.00');
    expect(() => emulator.setFirmwareVersion('版本')).toThrow(/printable ASCII/);
  });

  it('reports card insertion, power and removal in the status bits', async () => {
    await start();
    expect((await client.status()).value).toMatchObject({ cardPresent: false, cardPowered: false });
    emulator.insertCard();
    expect((await client.status()).value).toMatchObject({ cardPresent: true, cardPowered: false });
    emulator.insertCard({ powered: true });
    expect((await client.status()).value).toMatchObject({ cardPresent: true, cardPowered: true });
    emulator.removeCard();
    expect((await client.status()).value).toMatchObject({ cardPresent: false, cardPowered: false });
  });

  it('keeps only presence and an ATR of valid length for a card', async () => {
    await start();
    emulator.insertCard({ atr: Uint8Array.from([0x3b, 0x68, 0x00, 0x00]) });
    expect(emulator.snapshot().card).toEqual({ atr: '3b680000', powered: false });
    expect(() => emulator.insertCard({ atr: Uint8Array.from([0x3b]) })).toThrow(RangeError);
    expect(() => emulator.insertCard({ atr: new Uint8Array(34) })).toThrow(RangeError);
  });

  it('raises the hardware-fault bit and fails the self-test while the flag is set', async () => {
    await start();
    await client.selfTest();
    emulator.setHardwareFault(true);
    expect((await client.status()).value.hardwareFault).toBe(true);
    const error = await errorOf(client.selfTest());
    expect(error).toMatchObject({ code: 'error_status', status: p.statusCodes.hardwareFault });
    emulator.setHardwareFault(false);
    await client.selfTest();
  });

  it('counts beeps', async () => {
    await start();
    await client.beep(200);
    expect(emulator.snapshot().counters.beeps).toBe(1);
  });

  it('answers commands outside the table — e.g. an APDU carrying a SELECT of the social-security application — with unknown command and no data', async () => {
    await start();
    const select = Buffer.from('00a404000f7378312e73682ec9e7bbe1b1a3d5cf', 'hex');
    for (const cmd of [0x35, 0x40, 0xa4]) {
      const { value } = await client.request({ cmd, data: select });
      expect(value).toEqual({ cmd, status: p.statusCodes.unknownCommand, data: Buffer.alloc(0) });
    }
    expect(emulator.snapshot().counters.unknownCommands).toBe(3);
  });

  it('answers a known command with malformed data with bad parameter', async () => {
    await start();
    const { value } = await client.request({ cmd: 0x33, data: Buffer.from([1, 2]) });
    expect(value.status).toBe(p.statusCodes.badParameter);
    expect((await client.request({ cmd: 0x32, data: Buffer.from([9]) })).value.status).toBe(p.statusCodes.badParameter);
  });
});

describe('ReaderEmulator link faults', () => {
  it('no response: the client times out after its bounded attempts', async () => {
    await start();
    emulator.injectFaults({ noResponse: true });
    const error = await errorOf(client.status());
    expect(error).toMatchObject({ code: 'no_response', attempts: 2 });
    expect(emulator.snapshot().counters).toMatchObject({ requests: 2, dropped: 2, replies: 0 });
    emulator.clearFaults();
    await client.status();
  });

  it('no response for one request only: the retry succeeds', async () => {
    await start();
    emulator.injectFaults({ noResponse: 1 });
    expect((await client.status()).attempts).toBe(2);
    expect(emulator.snapshot().faults.noResponse).toBe(0);
  });

  it('slow response: the reply comes after the delay', async () => {
    await start();
    emulator.injectFaults({ delayMs: 50 });
    const { latencyMs, attempts } = await client.version();
    expect(attempts).toBe(1);
    expect(latencyMs).toBeGreaterThanOrEqual(45);
  });

  it('garbage before each reply: the client resynchronises and counts it', async () => {
    await start();
    emulator.injectFaults({ garbage: true, garbageBytes: Uint8Array.from([0x11, 0x22, 0x33, 0x44]) });
    expect((await client.version()).value).toBe('EMU-1.0.0');
    expect(client.stats().decoder.rejected.garbage).toEqual({ sequences: 1, bytes: 4 });
  });

  it('bad checksum: persistent gives bad_frame, a count of one is healed by the retry', async () => {
    await start();
    emulator.injectFaults({ badChecksum: true });
    const error = await errorOf(client.status());
    expect(error.code).toBe('bad_frame');
    expect(error.rejections.map((r) => r.reason)).toEqual(['bad_checksum', 'bad_checksum']);
    emulator.injectFaults({ badChecksum: 1 });
    expect((await client.status()).attempts).toBe(2);
  });

  it('refuses unknown or ill-typed fault settings', async () => {
    await start();
    expect(() => emulator.injectFaults({ noResponce: true } as never)).toThrow(/unknown emulator fault/);
    expect(() => emulator.injectFaults({ delayMs: -1 })).toThrow(TypeError);
    expect(() => emulator.injectFaults({ badChecksum: 1.5 })).toThrow(TypeError);
  });

  it('drops a half-received request after its inter-byte timeout and serves the next one', async () => {
    await start({ interByteTimeoutMs: 20 });
    const host = port.host();
    host.write(p.encodeRequest({ cmd: 0x31, data: Buffer.alloc(0) }).subarray(0, 4));
    await sleep(50);
    expect(emulator.snapshot().decoder.rejected.truncated).toEqual({ sequences: 1, bytes: 4 });
    expect((await client.version()).value).toBe('EMU-1.0.0');
  });
});

describe('ReaderEmulator unplug and replug', () => {
  it('unplug closes the port: the pending request fails with port_closed; replug serves a new connection', async () => {
    await start();
    emulator.injectFaults({ noResponse: true });
    const failure = errorOf(client.version()); // handler attached now: the rejection lands during unplug()
    await sleep(10);
    await emulator.unplug();
    expect((await failure).code).toBe('port_closed');
    expect(emulator.plugged).toBe(false);

    await emulator.replug();
    emulator.clearFaults();
    const again = new ReaderClient(port.host(), p, { timeoutMs: 80 });
    expect((await again.version()).value).toBe('EMU-1.0.0');
    await again.close();
  });

  it('concurrent plug-ins open the port once', async () => {
    await start();
    await emulator.unplug();
    let opens = 0;
    const open = port.open.bind(port);
    port.open = () => (opens++, open());
    await Promise.all([emulator.plug(), emulator.replug()]);
    expect(opens).toBe(1);
    expect(emulator.plugged).toBe(true);
  });

  it('a delayed reply is not sent after an unplug', async () => {
    await start();
    emulator.injectFaults({ delayMs: 30 });
    void client.version().catch(() => undefined);
    await sleep(5);
    await emulator.unplug();
    await sleep(50);
    expect(emulator.snapshot().counters).toMatchObject({ requests: 1, replies: 0 });
  });
});
