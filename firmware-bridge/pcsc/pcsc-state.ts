/**
 * SCARD_STATE_* bits of SCardGetStatusChange's dwEventState (pcsc-lite's pcsclite.h; the same values in winscard.h).
 * The upper 16 bits carry pcsc-lite's event counter for the reader, which changes with every insertion or removal.
 */
export const SCARD_STATE = {
  IGNORE: 0x0001,
  CHANGED: 0x0002,
  UNKNOWN: 0x0004,
  UNAVAILABLE: 0x0008,
  EMPTY: 0x0010,
  PRESENT: 0x0020,
  ATRMATCH: 0x0040,
  EXCLUSIVE: 0x0080,
  INUSE: 0x0100,
  MUTE: 0x0200,
  UNPOWERED: 0x0400,
} as const;

export type ScardStateFlag = keyof typeof SCARD_STATE;

/** The names of the bits set in a state word (counter and CHANGED left out: they say nothing about the reader). */
export function stateFlags(state: number): ScardStateFlag[] {
  return (Object.keys(SCARD_STATE) as ScardStateFlag[]).filter((name) => name !== 'CHANGED' && (state & SCARD_STATE[name]) !== 0);
}

/** pcsc-lite's per-reader event counter (incremented on every card insertion and removal). */
export function eventCounter(state: number): number {
  return (state >>> 16) & 0xffff;
}

export function cardPresent(state: number): boolean {
  return (state & SCARD_STATE.PRESENT) !== 0;
}

/**
 * PC/SC error codes seen when the service is not there or goes away (pcsc-lite 1.9): SCardEstablishContext gives
 * SCARD_E_NO_SERVICE when /run/pcscd/pcscd.comm does not answer; a context whose daemon died gets
 * SCARD_F_COMM_ERROR ("RPC transport error") from SCardGetStatusChange; SCARD_E_SERVICE_STOPPED on Windows.
 */
export const SERVICE_DOWN_CODES: Record<string, string> = {
  '0x8010001d': 'SCARD_E_NO_SERVICE',
  '0x80100013': 'SCARD_F_COMM_ERROR',
  '0x8010001e': 'SCARD_E_SERVICE_STOPPED',
  '0x80100002': 'SCARD_E_CANCELLED',
};

/** "SCardEstablishContext error: Service not available.(0x8010001d)" → "0x8010001d", the binding's message format. */
export function pcscErrorCode(message: string): string | undefined {
  return /\((0x[0-9a-f]{8})\)/i.exec(message)?.[1]?.toLowerCase();
}
