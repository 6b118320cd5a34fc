import pkcs11js from 'pkcs11js';
import { describe, expect, it } from 'vitest';
import { Pkcs11CallError } from './module.js';
import { isRemoval, matchToken, type SeenToken, type SlotScan } from './slots.js';

const INIT = pkcs11js.CKF_TOKEN_INITIALIZED;
const token = (label: string, serial: string, flags = INIT): SeenToken => ({
  slot: Buffer.alloc(8),
  slotHex: `${label}-${serial}`,
  label,
  serial,
  manufacturer: 'm',
  model: 'x',
  flags,
});
const scan = (...tokens: SeenToken[]): SlotScan => ({ tokens, vanished: [] });
const spare = token('', '', 0xc00025); // SoftHSM2's free slot: SO_PIN_LOCKED | SO_PIN_TO_BE_CHANGED | ..., not initialised

describe('matching the configured token (pure)', () => {
  it('takes the first initialised token when no label or serial is given, never the spare slot', () => {
    expect(matchToken({ label: '', serial: '' }, scan(spare, token('a', '1')))).toMatchObject({ kind: 'found', token: { label: 'a' }, candidates: 1 });
    expect(matchToken({ label: '', serial: '' }, scan(spare))).toEqual({ kind: 'absent', candidates: 0 });
  });

  it('needs both label and serial to match when both are given', () => {
    const s = scan(token('a', '1'), token('a', '2'), token('b', '2'));
    expect(matchToken({ label: 'a', serial: '2' }, s)).toMatchObject({ kind: 'found', token: { label: 'a', serial: '2' } });
    expect(matchToken({ label: '', serial: '2' }, s)).toMatchObject({ kind: 'found', token: { label: 'a', serial: '2' } });
    expect(matchToken({ label: 'b', serial: '1' }, s)).toEqual({ kind: 'absent', candidates: 3 });
  });

  it('reports an uninitialised token that matches, or that is the only real one; prefers an initialised match', () => {
    const blank = token('', 'HW0001', 0); // a reset USBKey keeps its hardware serial
    expect(matchToken({ label: '', serial: 'HW0001' }, scan(spare, blank))).toMatchObject({ kind: 'uninitialized', token: { serial: 'HW0001' } });
    expect(matchToken({ label: '', serial: '' }, scan(spare, blank))).toMatchObject({ kind: 'uninitialized' });
    expect(matchToken({ label: '', serial: '' }, scan(blank, token('a', '1')))).toMatchObject({ kind: 'found', token: { label: 'a' } });
  });

  it('counts the removal codes of C_GetTokenInfo as "gone", other errors not', () => {
    for (const ckr of ['CKR_GENERAL_ERROR', 'CKR_DEVICE_REMOVED', 'CKR_TOKEN_NOT_PRESENT', 'CKR_SLOT_ID_INVALID']) {
      expect(isRemoval(new Pkcs11CallError('C_GetTokenInfo', ckr, 0))).toBe(true);
    }
    expect(isRemoval(new Pkcs11CallError('C_GetTokenInfo', 'CKR_DEVICE_ERROR', 0x30))).toBe(false);
    expect(isRemoval(new Error('CKR_GENERAL_ERROR'))).toBe(false);
  });
});
