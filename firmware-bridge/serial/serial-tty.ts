import fs from 'node:fs';
import type { Duplex } from 'node:stream';
import tty from 'node:tty';
import { promisify } from 'node:util';
import type { SerialSettings } from '../profiles/types.js';
import { openSerialPort, type OpenSerialOptions } from './serial-open.js';

const openFd = promisify(fs.open);
const closeFd = promisify(fs.close);

/**
 * A serial device for a hot path (the bridge): serialport opens it — line settings, exclusive lock, the same busy /
 * missing errors — and a second descriptor of the same device carries the bytes through libuv's event-driven tty
 * handle. serialport's own reads and writes go through the thread pool (fs.read / fs.write after a poll), two hops
 * per direction that show in the bridge's latency; this has none.
 *
 * The termios settings belong to the device, not the descriptor, so the second one inherits serialport's raw
 * configuration; it is deliberately not switched to raw mode again (libuv's raw mode forces CS8, which would undo a
 * 7-bit setting). The lock is held by serialport's descriptor for as long as the stream lives; destroying the stream
 * closes both. Unix only.
 */
export async function openSerialDevice(path: string, settings: SerialSettings, options: OpenSerialOptions = {}): Promise<Duplex> {
  const port = await openSerialPort(path, settings, options);
  port.on('error', () => undefined); // it never reads or writes; the byte stream reports what matters
  const release = () => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()));
  let fd: number;
  try {
    fd = await openFd(path, fs.constants.O_RDWR | fs.constants.O_NOCTTY | fs.constants.O_NONBLOCK);
  } catch (error) {
    await release();
    throw error;
  }
  let stream: tty.ReadStream;
  try {
    stream = new tty.ReadStream(fd);
  } catch (error) {
    await closeFd(fd).catch(() => undefined);
    await release();
    throw error;
  }
  stream.once('close', () => void release());
  return stream;
}
