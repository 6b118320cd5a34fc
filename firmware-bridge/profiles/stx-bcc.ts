import { text } from '../../agent/core/text.js';
import {
  CommandDataError,
  type CommandSpec,
  type Framing,
  type ReaderProfile,
  type ReaderStatus,
  type RejectReason,
  type RequestFrame,
  type ResponseFrame,
  type StatusMeaning,
} from './types.js';

/*
 * Profile `stx-bcc`:
 *   request  0x02 | LEN(2, BE) | CMD | DATA... | BCC | 0x03        LEN = 1 + |DATA|
 *   response 0x02 | LEN(2, BE) | CMD | ST | DATA... | BCC | 0x03   LEN = 2 + |DATA|
 *   BCC = XOR of both LEN bytes and every byte after them up to (not including) BCC.
 * A frame is LEN + 5 bytes; one longer than 512 bytes is garbage.
 */

const STX = 0x02;
const ETX = 0x03;
/** STX + two LEN bytes + BCC + ETX. */
const OVERHEAD = 5;
export const STX_BCC_MAX_FRAME = 512;
const MAX_LEN = STX_BCC_MAX_FRAME - OVERHEAD;

/** XOR of buf[from..to). */
function xorRange(buf: Uint8Array, from: number, to: number): number {
  let x = 0;
  for (let i = from; i < to; i++) x ^= buf[i]!;
  return x;
}

/** Framing of one direction; `minLen` is 1 for requests (CMD) and 2 for responses (CMD + ST). */
function stxBccFraming(minLen: number): Framing {
  return {
    syncByte: STX,
    headerBytes: 3,
    maxFrameBytes: STX_BCC_MAX_FRAME,
    measure(buf: Uint8Array, offset: number): number | RejectReason {
      const len = (buf[offset + 1]! << 8) | buf[offset + 2]!;
      if (len < minLen) return 'bad_length';
      if (len > MAX_LEN) return 'too_long';
      return len + OVERHEAD;
    },
    check(buf: Uint8Array, offset: number, length: number): RejectReason | null {
      const end = offset + length;
      // The end marker first: a wrong one means the length itself was wrong, which says more than a bad BCC.
      if (buf[end - 1] !== ETX) return 'bad_end';
      if (xorRange(buf, offset + 1, end - 2) !== buf[end - 2]) return 'bad_checksum';
      return null;
    },
  };
}

/** Builds STX | LEN | head... | data | BCC | ETX, where head is CMD (request) or CMD, ST (response). */
function buildFrame(head: number[], data: Uint8Array): Buffer {
  const len = head.length + data.length;
  if (len > MAX_LEN) throw new RangeError(`stx-bcc: frame of ${len + OVERHEAD} bytes exceeds ${STX_BCC_MAX_FRAME}`);
  const frame = Buffer.allocUnsafe(len + OVERHEAD);
  frame[0] = STX;
  frame[1] = len >> 8;
  frame[2] = len & 0xff;
  for (let i = 0; i < head.length; i++) frame[3 + i] = head[i]! & 0xff;
  frame.set(data, 3 + head.length);
  frame[frame.length - 2] = xorRange(frame, 1, frame.length - 2);
  frame[frame.length - 1] = ETX;
  return frame;
}

/** Data bytes of a checked frame: after `headBytes` fields, before BCC and ETX. Copied: callers keep it. */
function frameData(frame: Uint8Array, headBytes: number): Buffer {
  return Buffer.from(frame.subarray(3 + headBytes, frame.length - 2));
}

const EMPTY = Buffer.alloc(0);

function expectEmpty(command: string, data: Uint8Array, what: string): void {
  if (data.length !== 0) throw new CommandDataError(command, `${what} carries ${data.length} data bytes, expected none`);
}

/** A command whose request and reply both carry no data (self-test: ST only). */
function emptyCommand(name: string, code: number): CommandSpec<void, void> {
  return {
    name,
    code,
    encodeRequest: () => EMPTY,
    decodeRequest: (data) => expectEmpty(name, data, 'request'),
    encodeReply: () => EMPTY,
    decodeReply: (data) => expectEmpty(name, data, 'reply'),
  };
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

const version: CommandSpec<void, string> = {
  name: 'version',
  code: 0x31,
  encodeRequest: () => EMPTY,
  decodeRequest: (data) => expectEmpty('version', data, 'request'),
  encodeReply(reply: string): Buffer {
    if (!PRINTABLE_ASCII.test(reply)) throw new CommandDataError('version', 'version text must be printable ASCII');
    return Buffer.from(reply, 'latin1');
  },
  decodeReply(data: Uint8Array): string {
    // C firmware often pads fixed-size version fields with NULs; they are not part of the version.
    let end = data.length;
    while (end > 0 && data[end - 1] === 0) end--;
    const version = Buffer.from(data.subarray(0, end)).toString('latin1');
    if (!PRINTABLE_ASCII.test(version)) throw new CommandDataError('version', 'version text is not printable ASCII');
    return version;
  },
};

const CARD_PRESENT = 0x01;
const CARD_POWERED = 0x02;
const HARDWARE_FAULT = 0x80;

const status: CommandSpec<void, ReaderStatus> = {
  name: 'status',
  code: 0x32,
  encodeRequest: () => EMPTY,
  decodeRequest: (data) => expectEmpty('status', data, 'request'),
  encodeReply(reply: ReaderStatus): Buffer {
    // Bits other than the three defined ones are passed through from `raw`, so an emulator can set reserved bits.
    const defined = CARD_PRESENT | CARD_POWERED | HARDWARE_FAULT;
    const byte =
      (reply.raw & ~defined & 0xff) |
      (reply.cardPresent ? CARD_PRESENT : 0) |
      (reply.cardPowered ? CARD_POWERED : 0) |
      (reply.hardwareFault ? HARDWARE_FAULT : 0);
    return Buffer.from([byte]);
  },
  decodeReply(data: Uint8Array): ReaderStatus {
    if (data.length !== 1) throw new CommandDataError('status', `status reply has ${data.length} data bytes, expected 1`);
    const byte = data[0]!;
    return {
      cardPresent: (byte & CARD_PRESENT) !== 0,
      cardPowered: (byte & CARD_POWERED) !== 0,
      hardwareFault: (byte & HARDWARE_FAULT) !== 0,
      raw: byte,
    };
  },
};

/** Beep duration travels in 10 ms units in one byte: 0 to 2550 ms. */
const beep: CommandSpec<{ durationMs: number }, void> = {
  name: 'beep',
  code: 0x33,
  encodeRequest({ durationMs }): Buffer {
    const units = Math.round(durationMs / 10);
    if (!Number.isFinite(units) || units < 0 || units > 0xff) throw new RangeError(`beep: ${durationMs} ms is outside 0..2550 ms`);
    return Buffer.from([units]);
  },
  decodeRequest(data: Uint8Array) {
    if (data.length !== 1) throw new CommandDataError('beep', `beep request has ${data.length} data bytes, expected 1`);
    return { durationMs: data[0]! * 10 };
  },
  encodeReply: () => EMPTY,
  decodeReply: (data) => expectEmpty('beep', data, 'reply'),
};

/*
 * The stx-bcc specification defines only ST 0x00 = OK; every other value is "an error code of the reader". Real stx-bcc readers'
 * codes are vendor-private, so these three are our own choice: the emulator answers with them and messages name them.
 */
const statusCodes = { ok: 0x00, unknownCommand: 0x01, badParameter: 0x02, hardwareFault: 0x10 } as const;

const STATUS_TEXTS: Record<number, StatusMeaning['text']> = {
  [statusCodes.ok]: text('成功', 'OK'),
  [statusCodes.unknownCommand]: text('读卡器不支持该命令', 'reader does not know the command'),
  [statusCodes.badParameter]: text('命令参数错误', 'bad command parameter'),
  [statusCodes.hardwareFault]: text('读卡器硬件故障', 'reader hardware fault'),
};

function hex(byte: number): string {
  return `0x${byte.toString(16).padStart(2, '0')}`;
}

export const stxBccProfile: ReaderProfile = {
  id: 'stx-bcc',
  title: text('STX/长度/BCC 串口帧协议', 'STX / length / BCC serial frame protocol'),
  serialDefaults: { baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 },
  requestFraming: stxBccFraming(1),
  responseFraming: stxBccFraming(2),
  encodeRequest: ({ cmd, data }: RequestFrame) => buildFrame([cmd], data),
  parseRequest: (frame: Uint8Array): RequestFrame => ({ cmd: frame[3]!, data: frameData(frame, 1) }),
  encodeResponse: ({ cmd, status, data }: ResponseFrame) => buildFrame([cmd, status], data),
  parseResponse: (frame: Uint8Array): ResponseFrame => ({ cmd: frame[3]!, status: frame[4]!, data: frameData(frame, 2) }),
  corruptChecksum(frame: Uint8Array): Buffer {
    const copy = Buffer.from(frame);
    copy[copy.length - 2] = copy[copy.length - 2]! ^ 0xff;
    return copy;
  },
  commands: { version, status, beep, selfTest: emptyCommand('selfTest', 0x34) },
  statusCodes,
  describeStatus(code: number): StatusMeaning {
    const known = STATUS_TEXTS[code];
    return {
      ok: code === statusCodes.ok,
      code,
      text: known ?? text(`读卡器返回错误码 ${hex(code)}`, `reader error code ${hex(code)}`),
    };
  },
};
