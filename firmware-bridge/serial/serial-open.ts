import { stat } from 'node:fs/promises';
import type { SerialPort } from 'serialport';
import type { SerialSettings } from '../profiles/types.js';

/**
 * Why a serial port could not be opened, in the terms a reader check needs:
 * `missing`: no device node (a USB-serial reader that is unplugged, or a wrong path);
 * `busy`: someone holds the port — on a settlement terminal that is the settlement software, a normal state;
 * `denied`: the node exists but we may not open it (not in the dialout group);
 * `failed`: anything else (a driver error, settings the device rejects).
 */
export type SerialOpenFailure = 'missing' | 'busy' | 'denied' | 'failed';

export class SerialOpenError extends Error {
  override readonly name = 'SerialOpenError';
  constructor(
    readonly kind: SerialOpenFailure,
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${path}: ${message}`, options);
  }
}

export interface OpenSerialOptions {
  /**
   * flock(LOCK_EX|LOCK_NB) after opening, as serialport does by default: a second opener (the settlement software,
   * or another Guardpost) fails instead of silently sharing the line. Default true.
   */
  lock?: boolean;
}

/**
 * Opens a real serial device (or a pty) with the given line settings through the `serialport` package. The result is
 * a Duplex, so it plugs into ReaderClient and the bridge unchanged.
 *
 * The module is imported lazily: it loads a native binding, and only the isolated reader check's child process should
 * ever load that — never the agent's main process just because it imported the check registry.
 *
 * Caveat (serialport 13, unix): the binding applies termios settings *before* it tries the lock, so opening a port
 * that the settlement software holds still rewrites its line settings for a moment before failing with "busy".
 * With the same settings that is harmless; callers that must not touch a busy port check `portUsers()` first.
 */
export async function openSerialPort(path: string, settings: SerialSettings, options: OpenSerialOptions = {}): Promise<SerialPort> {
  const { SerialPort } = await import('serialport');
  await assertDeviceNode(path);
  const port = new SerialPort({
    path,
    baudRate: settings.baudRate,
    dataBits: settings.dataBits,
    parity: settings.parity,
    stopBits: settings.stopBits,
    lock: options.lock ?? true,
    // Closing must not drop DTR: some readers take power or a reset from it, and a probe must leave the line as it was.
    hupcl: false,
    autoOpen: false,
  });
  await new Promise<void>((resolve, reject) => {
    port.open((error) => (error ? reject(classifyOpenError(path, error)) : resolve()));
  });
  closeOnDestroy(port);
  return port;
}

/**
 * serialport's stream has no _destroy: `destroy()` (what ReaderClient.close and stream.pipeline use) emits 'close' but
 * leaves the device open and locked. This closes the binding on destroy, so every Duplex way of ending it works.
 */
function closeOnDestroy(port: SerialPort): void {
  port._destroy = (error: Error | null, callback: (error?: Error | null) => void) => {
    const binding = port.port;
    if (!binding?.isOpen) return callback(error);
    binding.close().then(
      () => callback(error),
      (closeError: Error) => callback(error ?? closeError),
    );
  };
}

/** ENOENT before the binding's generic "cannot open" message: the one case a check treats as unplugged. */
async function assertDeviceNode(path: string): Promise<void> {
  try {
    await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new SerialOpenError('missing', path, 'no such device', { cause: error });
    if (code === 'EACCES') throw new SerialOpenError('denied', path, 'permission denied', { cause: error });
    throw new SerialOpenError('failed', path, (error as Error).message, { cause: error });
  }
}

/**
 * serialport reports open failures as plain Errors with the errno text in the message ("Error Resource temporarily
 * unavailable Cannot lock port", "Error: No such file or directory, cannot open /dev/ttyUSB0"); these are the texts
 * bindings-cpp 13 produces on Linux.
 */
export function classifyOpenError(path: string, error: Error): SerialOpenError {
  const text = error.message;
  if (/Cannot lock port|Resource busy|EBUSY|Device or resource busy/i.test(text)) {
    return new SerialOpenError('busy', path, 'in use by another program (port locked)', { cause: error });
  }
  if (/No such file or directory|ENOENT|No such device/i.test(text)) return new SerialOpenError('missing', path, 'no such device', { cause: error });
  if (/Permission denied|EACCES|EPERM/i.test(text)) return new SerialOpenError('denied', path, 'permission denied', { cause: error });
  return new SerialOpenError('failed', path, text, { cause: error });
}
