/**
 * Link faults the emulator can inject at run time. Each switch is either on/off (`true`/`false`) or a count:
 * "the next N replies" — so a test can fail exactly the first attempt and watch a retry succeed.
 */
export type FaultSwitch = boolean | number;

export interface LinkFaults {
  /** Requests are read and ignored: a hung reader. */
  noResponse: FaultSwitch;
  /** Every reply is sent this many milliseconds after its request arrived: a slow reader. */
  delayMs: number;
  /** `garbageBytes` go out before the reply: line noise. */
  garbage: FaultSwitch;
  garbageBytes: Uint8Array;
  /** The reply's checksum is wrong. */
  badChecksum: FaultSwitch;
}

/** Noise without a sync byte (0x02), so by default it is pure garbage to the decoder; tests may set their own. */
export const DEFAULT_GARBAGE = Uint8Array.from([0xff, 0x00, 0x55, 0xaa, 0x03, 0x7e]);

export function noLinkFaults(): LinkFaults {
  return { noResponse: false, delayMs: 0, garbage: false, garbageBytes: DEFAULT_GARBAGE, badChecksum: false };
}

type SwitchName = 'noResponse' | 'garbage' | 'badChecksum';

/** Whether the fault applies to this reply; a count goes down by one each time it does. */
export function takeFault(faults: LinkFaults, name: SwitchName): boolean {
  const value = faults[name];
  if (typeof value === 'number') {
    if (value <= 0) return false;
    faults[name] = value - 1;
    return true;
  }
  return value;
}

/** Checks a partial fault update before it is applied, so a typo fails at the call, not as a silent no-op. */
export function validateFaults(update: Partial<LinkFaults>): void {
  for (const [key, value] of Object.entries(update)) {
    switch (key) {
      case 'noResponse':
      case 'garbage':
      case 'badChecksum':
        if (typeof value !== 'boolean' && !(Number.isInteger(value) && (value as number) >= 0))
          throw new TypeError(`${key} must be true, false or a count of replies`);
        break;
      case 'delayMs':
        if (!(typeof value === 'number' && Number.isFinite(value) && value >= 0)) throw new TypeError('delayMs must be a number >= 0');
        break;
      case 'garbageBytes':
        if (!(value instanceof Uint8Array)) throw new TypeError('garbageBytes must be bytes');
        break;
      default:
        throw new TypeError(`unknown emulator fault "${key}"`);
    }
  }
}
