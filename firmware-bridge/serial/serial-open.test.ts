import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReaderClient } from '../client/reader-client.js';
import { ReaderEmulator } from '../emulator/reader-emulator.js';
import { ttyPathPort } from '../emulator/emulator-port.js';
import { stxBccProfile as p } from '../profiles/stx-bcc.js';
import { startSocatPair, type SocatPair } from '../transport/socat-pair.js';
import { portUsers } from './port-users.js';
import { classifyOpenError, openSerialPort, SerialOpenError } from './serial-open.js';
import { openSerialDevice } from './serial-tty.js';
import { socatOrFailUnderCi } from '../test-support/socat-suite.js';

const haveSocat = socatOrFailUnderCi();

async function openError(promise: Promise<unknown>): Promise<SerialOpenError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SerialOpenError);
  return error as SerialOpenError;
}

describe.runIf(haveSocat)('serialport adapter on a socat pty pair', () => {
  let dir: string;
  let pair: SocatPair;
  let emulator: ReaderEmulator;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'gp-serial-'));
    pair = await startSocatPair(path.join(dir, 'ttyHost'), path.join(dir, 'ttyReader'));
    emulator = new ReaderEmulator({ profile: p, port: ttyPathPort(pair.pathB), firmwareVersion: 'SP-1.0' });
    await emulator.plug();
  });
  afterAll(async () => {
    await emulator.unplug();
    await pair.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('opens with the profile settings (9600 8N1) and carries ReaderClient exchanges: SerialPort is a Duplex', async () => {
    const port = await openSerialPort(pair.pathA, p.serialDefaults);
    expect(port.baudRate).toBe(9600);
    const client = new ReaderClient(port, p, { timeoutMs: 500 });
    expect((await client.version()).value).toBe('SP-1.0');
    expect((await client.status()).value.hardwareFault).toBe(false);
    await client.close();
    expect(port.isOpen).toBe(false);
  });

  it('reports a port someone holds as busy (locked), a normal state for a reader the settlement software owns', async () => {
    const first = await openSerialPort(pair.pathA, p.serialDefaults);
    const error = await openError(openSerialPort(pair.pathA, p.serialDefaults));
    expect(error.kind).toBe('busy');
    expect(error.message).toContain(pair.pathA);
    await new Promise<void>((resolve) => first.close(() => resolve()));
    const again = await openSerialPort(pair.pathA, p.serialDefaults);
    await new Promise<void>((resolve) => again.close(() => resolve()));
  });

  it('openSerialDevice: serialport\'s settings and lock, event-driven bytes; destroying it releases the lock', async () => {
    const device = await openSerialDevice(pair.pathA, p.serialDefaults);
    const client = new ReaderClient(device, p, { timeoutMs: 500 });
    expect((await client.version()).value).toBe('SP-1.0');
    expect((await openError(openSerialPort(pair.pathA, p.serialDefaults))).kind).toBe('busy');
    await client.close();
    await sleep(20); // serialport's close of the lock holder follows the stream's close
    const again = await openSerialPort(pair.pathA, p.serialDefaults);
    await new Promise<void>((resolve) => again.close(() => resolve()));
  });

  it('reports a missing device node as missing (unplugged USB-serial reader or wrong path)', async () => {
    expect((await openError(openSerialPort(path.join(dir, 'ttyUSB9'), p.serialDefaults))).kind).toBe('missing');
  });

  it('classifies the binding\'s error texts', () => {
    const kind = (message: string) => classifyOpenError('/dev/ttyS0', new Error(message)).kind;
    expect(kind('Error Resource temporarily unavailable Cannot lock port')).toBe('busy');
    expect(kind('Error: Device or resource busy, cannot open /dev/ttyS0')).toBe('busy');
    expect(kind('Error: No such file or directory, cannot open /dev/ttyS0')).toBe('missing');
    expect(kind('Error: Permission denied, cannot open /dev/ttyS0')).toBe('denied');
    expect(kind('Error: Inappropriate ioctl for device')).toBe('failed');
  });

  it('finds another process holding the port without opening it, and excludes our own', async () => {
    const holder = spawn('sh', ['-c', `exec 3<>"${pair.pathA}"; exec sleep 30`], { stdio: 'ignore' });
    try {
      // socat itself keeps the slave side of its ptys open: on a pty pair it is always a "user".
      const others = { excludePids: [process.pid, pair.pid] };
      let users = await portUsers(pair.pathA, others);
      for (let i = 0; i < 100 && users?.length === 0; i++) users = await sleep(10).then(() => portUsers(pair.pathA, others));
      expect(users).toEqual([{ pid: holder.pid, command: 'sleep' }]);
      const mine = await openSerialPort(pair.pathA, p.serialDefaults, { lock: false });
      expect((await portUsers(pair.pathA, others))?.map((u) => u.pid)).toEqual([holder.pid]);
      expect((await portUsers(pair.pathA))?.map((u) => u.pid)).toEqual([pair.pid, holder.pid!].sort((a, b) => a - b));
      await new Promise<void>((resolve) => mine.close(() => resolve()));
    } finally {
      holder.kill('SIGTERM');
    }
    expect(await portUsers(path.join(dir, 'nothing-here'))).toEqual([]);
  });
});
