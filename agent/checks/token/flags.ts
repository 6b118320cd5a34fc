import type { Evidence } from '../../core/checks/result.js';
import { P11 } from './module.js';

/** The user-PIN and initialisation bits of a token's flags (PKCS#11 CK_TOKEN_INFO.flags). */
export interface TokenFlags {
  initialized: boolean;
  userPinInitialized: boolean;
  /** A wrong PIN was entered since the last good login. */
  pinCountLow: boolean;
  /** One more wrong PIN locks the token. */
  pinFinalTry: boolean;
  pinLocked: boolean;
  pinToBeChanged: boolean;
}

export function decodeFlags(flags: number): TokenFlags {
  const has = (bit: number) => (flags & bit) !== 0;
  return {
    initialized: has(P11.CKF_TOKEN_INITIALIZED),
    userPinInitialized: has(P11.CKF_USER_PIN_INITIALIZED),
    pinCountLow: has(P11.CKF_USER_PIN_COUNT_LOW),
    pinFinalTry: has(P11.CKF_USER_PIN_FINAL_TRY),
    pinLocked: has(P11.CKF_USER_PIN_LOCKED),
    pinToBeChanged: has(P11.CKF_USER_PIN_TO_BE_CHANGED),
  };
}

export type FlagReason = 'token_not_initialized' | 'pin_locked' | 'pin_final_try' | 'pin_count_low' | 'pin_to_be_changed';

/**
 * The one reason a token's flags give, worst first: an uninitialised token has no meaningful PIN state; a locked
 * PIN outranks the last try, which outranks an earlier wrong PIN; "PIN must be changed" comes last. All the bits
 * stay in the evidence.
 */
export function flagReason(f: TokenFlags): FlagReason | null {
  if (!f.initialized) return 'token_not_initialized';
  if (f.pinLocked) return 'pin_locked';
  if (f.pinFinalTry) return 'pin_final_try';
  if (f.pinCountLow) return 'pin_count_low';
  if (f.pinToBeChanged) return 'pin_to_be_changed';
  return null;
}

/** A login now could bring the key closer to locking (or is pointless): the sign test must not try. */
export const loginUnsafe = (f: TokenFlags): boolean => f.pinCountLow || f.pinFinalTry || f.pinLocked;

export function flagEvidence(flags: number): Evidence {
  const f = decodeFlags(flags);
  return {
    flags,
    flagsHex: `0x${flags.toString(16)}`,
    tokenInitialized: f.initialized,
    userPinInitialized: f.userPinInitialized,
    pinCountLow: f.pinCountLow,
    pinFinalTry: f.pinFinalTry,
    pinLocked: f.pinLocked,
    pinToBeChanged: f.pinToBeChanged,
  };
}
