import fs from 'node:fs';
import type { Duplex } from 'node:stream';
import tty from 'node:tty';
import { promisify } from 'node:util';

const openFd = promisify(fs.open);
const closeFd = promisify(fs.close);

/**
 * Opens a terminal device (a pty from socat, or a serial device node) as a duplex byte stream using only Node's
 * built-ins: libuv's tty handle is event-driven, so reads never block a thread-pool thread the way fs streams would.
 *
 * What it cannot do, and why real serial ports go through serialport instead: set the baud rate, parity and stop bits
 * (no termios access beyond raw mode) and take the exclusive lock serialport takes. On a socat pty none of that matters.
 */
export async function openTtyPort(path: string): Promise<Duplex> {
  // O_NOCTTY: never acquire the reader as our controlling terminal (a hangup would signal us).
  // O_NONBLOCK: a real serial port without CLOCAL would otherwise block open() until carrier detect.
  const fd = await openFd(path, fs.constants.O_RDWR | fs.constants.O_NOCTTY | fs.constants.O_NONBLOCK);
  let stream: tty.ReadStream;
  try {
    if (!tty.isatty(fd)) throw new Error(`${path} is not a terminal device`);
    stream = new tty.ReadStream(fd);
  } catch (error) {
    await closeFd(fd).catch(() => undefined);
    throw error;
  }
  try {
    // Raw: no line editing, no echo, no CR/LF translation, no signals from control bytes — frames are binary.
    stream.setRawMode(true);
  } catch (error) {
    stream.destroy(); // the stream owns the fd now
    throw error;
  }
  return stream;
}
