import { call, P11, Pkcs11CallError, type Pkcs11 } from './module.js';

/** A token seen in a slot, from C_GetTokenInfo (strings without PKCS#11's blank padding). */
export interface SeenToken {
  slot: Buffer;
  slotHex: string;
  label: string;
  serial: string;
  manufacturer: string;
  model: string;
  flags: number;
}

export interface SlotScan {
  /** Tokens whose info could be read. */
  tokens: SeenToken[];
  /** Slots whose C_GetTokenInfo said the token went away meanwhile (counted as not present). */
  vanished: { slotHex: string; ckr: string }[];
}

/**
 * C_GetTokenInfo answers that mean "the token is not there (any more)": SoftHSM2 gives CKR_GENERAL_ERROR for a
 * token whose directory is gone, USB drivers CKR_DEVICE_REMOVED or CKR_TOKEN_NOT_PRESENT, hot-plug readers
 * CKR_SLOT_ID_INVALID for a slot that disappeared.
 */
const REMOVED = new Set(['CKR_GENERAL_ERROR', 'CKR_DEVICE_REMOVED', 'CKR_TOKEN_NOT_PRESENT', 'CKR_SLOT_ID_INVALID']);

export function isRemoval(err: unknown): boolean {
  return err instanceof Pkcs11CallError && REMOVED.has(err.ckr);
}

const text = (s: string) => s.replace(/[\s\0]+$/, '');

/** Every slot with a token present, and what each token says about itself. Read-only: no session, no login. */
export function scanSlots(lib: Pkcs11): SlotScan {
  const slots = call('C_GetSlotList', () => lib.C_GetSlotList(true));
  const scan: SlotScan = { tokens: [], vanished: [] };
  for (const slot of slots) {
    const slotHex = slot.toString('hex');
    try {
      const info = call('C_GetTokenInfo', () => lib.C_GetTokenInfo(slot));
      scan.tokens.push({
        slot,
        slotHex,
        label: text(info.label),
        serial: text(info.serialNumber),
        manufacturer: text(info.manufacturerID),
        model: text(info.model),
        flags: info.flags,
      });
    } catch (err) {
      if (!isRemoval(err)) throw err;
      scan.vanished.push({ slotHex, ckr: (err as Pkcs11CallError).ckr });
    }
  }
  return scan;
}

export const isInitialized = (t: SeenToken): boolean => (t.flags & P11.CKF_TOKEN_INITIALIZED) !== 0;

/**
 * SoftHSM2 always offers one empty, uninitialised slot for the next token, and some readers show an empty card
 * the same way: blank label and serial, not initialised. Such a slot is not a token anyone configured.
 */
export const isSpareSlot = (t: SeenToken): boolean => !isInitialized(t) && t.label === '' && t.serial === '';

export type TokenMatch =
  | { kind: 'found'; token: SeenToken; candidates: number }
  | { kind: 'uninitialized'; token: SeenToken }
  | { kind: 'absent'; candidates: number };

/**
 * Finds the configured token among those present. With a label and/or serial both must match; without either,
 * the first initialised token. An uninitialised token counts only when it matches the label/serial, or when it is
 * the only (non-spare) token there.
 */
export function matchToken(want: { label: string; serial: string }, scan: SlotScan): TokenMatch {
  const real = scan.tokens.filter((t) => !isSpareSlot(t));
  const selective = want.label !== '' || want.serial !== '';
  const matching = real.filter((t) => (want.label === '' || t.label === want.label) && (want.serial === '' || t.serial === want.serial));
  const initialised = matching.filter(isInitialized);
  if (initialised[0]) return { kind: 'found', token: initialised[0], candidates: real.length };
  const uninitialised = matching.find((t) => !isInitialized(t));
  if (uninitialised && (selective || real.length === 1)) return { kind: 'uninitialized', token: uninitialised };
  return { kind: 'absent', candidates: real.length };
}
