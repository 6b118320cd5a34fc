import type { Duplex } from 'node:stream';
import { memoryPair, type MemoryPair } from '../transport/memory-pair.js';
import { startSocatPair, type SocatPair } from '../transport/socat-pair.js';
import { openTtyPort } from '../transport/tty-port.js';

/**
 * Where the emulator's bytes go. `open` is called on every plug-in, `unplug` after the emulator closed its end.
 * The two implementations differ in what the host sees on unplug — which is exactly the difference between the two
 * real-world ways a serial reader goes away.
 */
export interface EmulatorPort {
  readonly description: string;
  open(): Promise<Duplex>;
  /** Make the device disappear for the host too, when this kind of port can. */
  unplug?(): Promise<void>;
}

/**
 * An existing terminal device: a real serial port, or one end of a pty pair someone else runs.
 * Unplug only closes our end, like pulling an RS-232 cable: the host's device node stays and requests go unanswered.
 */
export function ttyPathPort(path: string): EmulatorPort {
  return { description: path, open: () => openTtyPort(path) };
}

export interface SocatDevicePort extends EmulatorPort {
  /** The path the host (client, check, settlement software) opens. Stable across unplug and replug. */
  readonly devicePath: string;
}

/**
 * A device the emulator creates itself with a socat pair, like a USB-serial reader: unplug stops socat, so the
 * host's device node vanishes and an open host port closes; replug creates it again at the same path.
 */
export function socatDevicePort(devicePath: string, emulatorPath = `${devicePath}.emulator`): SocatDevicePort {
  let pair: SocatPair | undefined;
  return {
    description: `${devicePath} (socat pty pair)`,
    devicePath,
    async open() {
      pair = await startSocatPair(devicePath, emulatorPath);
      try {
        return await openTtyPort(emulatorPath);
      } catch (error) {
        await pair.stop();
        pair = undefined;
        throw error;
      }
    },
    async unplug() {
      await pair?.stop();
      pair = undefined;
    },
  };
}

export interface MemoryDevicePort extends EmulatorPort {
  /** The host's end of the current plug-in; a new one after each replug, as a re-enumerated device would be. */
  host(): Duplex;
}

/** In-memory device for unit tests: behaves like socatDevicePort (unplug closes the host end too) without a pty. */
export function memoryDevicePort(): MemoryDevicePort {
  let pair: MemoryPair | undefined;
  return {
    description: 'memory',
    async open() {
      pair = memoryPair();
      return pair.b;
    },
    async unplug() {
      pair?.unplug();
    },
    host() {
      if (!pair) throw new Error('memory device not plugged in yet');
      return pair.a;
    },
  };
}
