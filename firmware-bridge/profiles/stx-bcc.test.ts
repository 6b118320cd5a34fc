import { describe, expect, it } from 'vitest';
import { FrameDecoder } from '../codec/frame-decoder.js';
import { getReaderProfile, READER_PROFILES } from './index.js';
import { stxBccProfile as p } from './stx-bcc.js';
import { CommandDataError } from './types.js';

const bytes = (...b: number[]) => Buffer.from(b);
const { version, status, beep, selfTest } = p.commands;

describe('stx-bcc encoder (byte-exact against the specification)', () => {
  it('encodes a version request: LEN counts CMD only, BCC = LEN ^ CMD', () => {
    // 0x00 ^ 0x01 ^ 0x31 = 0x30
    expect(p.encodeRequest({ cmd: 0x31, data: version.encodeRequest() })).toEqual(bytes(0x02, 0x00, 0x01, 0x31, 0x30, 0x03));
  });

  it('encodes a 500 ms beep as 50 units; its BCC may equal ETX', () => {
    // LEN 2, DATA 0x32: 0x00 ^ 0x02 ^ 0x33 ^ 0x32 = 0x03
    expect(p.encodeRequest({ cmd: beep!.code, data: beep!.encodeRequest({ durationMs: 500 }) })).toEqual(
      bytes(0x02, 0x00, 0x02, 0x33, 0x32, 0x03, 0x03),
    );
  });

  it('encodes a status response: LEN counts CMD and ST, BCC covers ST and DATA', () => {
    const frame = p.encodeResponse({ cmd: 0x32, status: 0x00, data: bytes(0x81) });
    // 0x00 ^ 0x03 ^ 0x32 ^ 0x00 ^ 0x81 = 0xb0
    expect(frame).toEqual(bytes(0x02, 0x00, 0x03, 0x32, 0x00, 0x81, 0xb0, 0x03));
  });

  it('puts LEN big-endian', () => {
    const frame = p.encodeResponse({ cmd: 0x31, status: 0, data: Buffer.alloc(300, 0x41) });
    expect(frame.readUInt16BE(1)).toBe(302);
    expect(frame.length).toBe(307);
  });

  it('accepts a frame of exactly 512 bytes and refuses 513', () => {
    expect(p.encodeRequest({ cmd: 0x31, data: Buffer.alloc(506) }).length).toBe(512);
    expect(() => p.encodeRequest({ cmd: 0x31, data: Buffer.alloc(507) })).toThrow(RangeError);
    expect(p.encodeResponse({ cmd: 0x31, status: 0, data: Buffer.alloc(505) }).length).toBe(512);
    expect(() => p.encodeResponse({ cmd: 0x31, status: 0, data: Buffer.alloc(506) })).toThrow(RangeError);
  });

  it('parses what it encodes', () => {
    const req = p.parseRequest(p.encodeRequest({ cmd: 0x33, data: bytes(7) }));
    expect(req).toEqual({ cmd: 0x33, data: bytes(7) });
    const res = p.parseResponse(p.encodeResponse({ cmd: 0x31, status: 0x10, data: Buffer.from('V2') }));
    expect(res).toEqual({ cmd: 0x31, status: 0x10, data: Buffer.from('V2') });
  });
});

describe('stx-bcc framing', () => {
  it('measures LEN + 5 and rejects impossible lengths from the header alone', () => {
    expect(p.requestFraming.measure(bytes(0x02, 0x00, 0x01), 0)).toBe(6);
    expect(p.requestFraming.measure(bytes(0x02, 0x00, 0x00), 0)).toBe('bad_length');
    expect(p.responseFraming.measure(bytes(0x02, 0x00, 0x01), 0)).toBe('bad_length');
    expect(p.responseFraming.measure(bytes(0x02, 0x01, 0xfb), 0)).toBe(512); // LEN 507
    expect(p.responseFraming.measure(bytes(0x02, 0x01, 0xfc), 0)).toBe('too_long'); // LEN 508 → 513 bytes
  });

  it('checks the end marker before the checksum', () => {
    const good = p.encodeRequest({ cmd: 0x31, data: bytes() });
    expect(p.requestFraming.check(good, 0, good.length)).toBeNull();
    const badEnd = Buffer.from(good);
    badEnd[badEnd.length - 1] = 0x04;
    badEnd[badEnd.length - 2] = badEnd[badEnd.length - 2]! ^ 1; // both wrong: the end marker is reported
    expect(p.requestFraming.check(badEnd, 0, badEnd.length)).toBe('bad_end');
    expect(p.requestFraming.check(p.corruptChecksum(good), 0, good.length)).toBe('bad_checksum');
  });

  it('corruptChecksum changes only the checksum byte', () => {
    const good = p.encodeResponse({ cmd: 0x32, status: 0, data: bytes(1) });
    const bad = p.corruptChecksum(good);
    const differing = [...good].flatMap((b, i) => (b === bad[i] ? [] : [i]));
    expect(differing).toEqual([good.length - 2]);
  });
});

describe('stx-bcc command table', () => {
  it('has the codes of the spec', () => {
    expect([version.code, status.code, beep!.code, selfTest!.code]).toEqual([0x31, 0x32, 0x33, 0x34]);
  });

  it('decodes the status bits (bit0 present, bit1 powered, bit7 hardware fault)', () => {
    expect(status.decodeReply(bytes(0x00))).toEqual({ cardPresent: false, cardPowered: false, hardwareFault: false, raw: 0 });
    expect(status.decodeReply(bytes(0x83))).toEqual({ cardPresent: true, cardPowered: true, hardwareFault: true, raw: 0x83 });
    expect(status.decodeReply(bytes(0x01)).cardPowered).toBe(false);
  });

  it('encodes status so that decoding gives it back, keeping reserved bits from raw', () => {
    const s = { cardPresent: true, cardPowered: false, hardwareFault: true, raw: 0x10 };
    expect(status.decodeReply(status.encodeReply(s))).toEqual({ ...s, raw: 0x91 });
  });

  it('refuses a status reply that is not exactly one byte', () => {
    expect(() => status.decodeReply(bytes())).toThrow(CommandDataError);
    expect(() => status.decodeReply(bytes(1, 2))).toThrow(CommandDataError);
  });

  it('reads version text as ASCII, dropping NUL padding, refusing other bytes', () => {
    expect(version.decodeReply(Buffer.from('DC-3.1\0\0'))).toBe('DC-3.1');
    expect(() => version.decodeReply(bytes(0x56, 0xff))).toThrow(CommandDataError);
    expect(() => version.encodeReply('版本')).toThrow(CommandDataError);
  });

  it('beep carries 10 ms units in one byte', () => {
    expect(beep!.encodeRequest({ durationMs: 2550 })).toEqual(bytes(255));
    expect(() => beep!.encodeRequest({ durationMs: 2560 })).toThrow(RangeError);
    expect(() => beep!.encodeRequest({ durationMs: -10 })).toThrow(RangeError);
    expect(beep!.decodeRequest(bytes(20))).toEqual({ durationMs: 200 });
    expect(() => beep!.decodeRequest(bytes())).toThrow(CommandDataError);
  });

  it('self-test is ST only', () => {
    expect(selfTest!.encodeRequest()).toHaveLength(0);
    expect(() => selfTest!.decodeReply(bytes(0))).toThrow(CommandDataError);
  });

  it('names status codes, including ones it does not know', () => {
    expect(p.describeStatus(0)).toMatchObject({ ok: true });
    expect(p.describeStatus(p.statusCodes.hardwareFault)).toMatchObject({ ok: false, text: { en: 'reader hardware fault' } });
    expect(p.describeStatus(0xe7)).toMatchObject({ ok: false, code: 0xe7, text: { en: 'reader error code 0xe7' } });
  });
});

describe('profile registry', () => {
  it('finds stx-bcc by id and names the known ids for a typo', () => {
    expect(getReaderProfile('stx-bcc')).toBe(p);
    expect(Object.keys(READER_PROFILES)).toContain('stx-bcc');
    expect(() => getReaderProfile('stx-bc')).toThrow(/known: stx-bcc/);
    expect(() => getReaderProfile('toString')).toThrow(/unknown reader profile/);
  });

  it('a frame the encoder makes passes the decoder built from the same profile', () => {
    const frames: Buffer[] = [];
    const decoder = new FrameDecoder(p.responseFraming, { onFrame: (f) => frames.push(f.bytes) });
    const frame = p.encodeResponse({ cmd: 0x31, status: 0, data: Buffer.from('EMU-1.0') });
    decoder.push(frame);
    expect(frames).toEqual([frame]);
  });
});
