import type { SerialSettings } from '../profiles/types.js';
import { openSerialPort } from '../serial/serial-open.js';
import type { EmulatorPort } from './emulator-port.js';

/**
 * A real serial device for the emulator, with line settings: a USB-serial adapter wired to the terminal by a
 * null-modem cable makes the terminal see a real RS-232 reader. Unplug closes our end (the cable pulled); the
 * terminal's port stays. Works on ptys too.
 */
export function serialDevicePort(path: string, settings: SerialSettings): EmulatorPort {
  return { description: `${path} (${settings.baudRate} baud)`, open: () => openSerialPort(path, settings) };
}
