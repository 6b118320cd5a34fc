import type { Text } from '../../agent/core/text.js';

/**
 * A reader profile: everything vendor-specific about a serial reader protocol, as data plus small pure functions.
 * The decoder, the request client and the emulator only ever talk to a reader through this interface, so a new
 * vendor profile is a new file plus one line in the registry — nothing in the core changes.
 */
export interface ReaderProfile {
  /** Stable id used in config and on the command line, e.g. `stx-bcc`. */
  id: string;
  title: Text;
  /** Line settings a reader of this kind ships with; configurable per reader. */
  serialDefaults: SerialSettings;
  /** Framing of host → reader frames (what the emulator decodes). */
  requestFraming: Framing;
  /** Framing of reader → host frames (what the client and the bridge decode). */
  responseFraming: Framing;
  /** Encodes a request; throws RangeError when the frame would exceed the profile's maximum length. */
  encodeRequest(request: RequestFrame): Buffer;
  /** Splits a frame that `requestFraming` accepted into its fields (no further validation needed). */
  parseRequest(frame: Uint8Array): RequestFrame;
  encodeResponse(response: ResponseFrame): Buffer;
  parseResponse(frame: Uint8Array): ResponseFrame;
  /**
   * A copy of a valid frame whose checksum is wrong and nothing else: the emulator's "bad checksum" fault.
   * Kept in the profile because only the profile knows where its checksum lives.
   */
  corruptChecksum(frame: Uint8Array): Buffer;
  /** The semantic command table: which command code does what, and how its data is laid out. */
  commands: ReaderCommands;
  /** Status byte codes the emulator answers with; real readers may use others, which `describeStatus` still names. */
  statusCodes: ReaderStatusCodes;
  /** Human meaning of a response status byte. */
  describeStatus(status: number): StatusMeaning;
  /**
   * A single control byte the reader sends instead of a reply frame to refuse a request it could not read (ASCII NAK
   * 0x15 on CRT-288-style readers). Outside any frame, so the decoder rejects it as garbage; the bridge counts a lone
   * one as a NAK. Absent when the protocol has none (stx-bcc: a reader answers every request with a frame and ST).
   */
  nakByte?: number;
}

export interface SerialSettings {
  baudRate: number;
  dataBits: 5 | 6 | 7 | 8;
  parity: 'none' | 'even' | 'odd';
  stopBits: 1 | 2;
}

export interface RequestFrame {
  cmd: number;
  data: Uint8Array;
}

export interface ResponseFrame {
  cmd: number;
  status: number;
  data: Uint8Array;
}

export interface StatusMeaning {
  ok: boolean;
  code: number;
  text: Text;
}

export interface ReaderStatusCodes {
  ok: number;
  unknownCommand: number;
  badParameter: number;
  hardwareFault: number;
}

/**
 * The closed list of reasons for which a decoder rejects bytes. Every byte fed to a decoder ends up either in an
 * accepted frame or in exactly one rejected sequence carrying one of these reasons.
 */
export const REJECT_REASONS = {
  garbage: { zh: '帧外的杂散字节（非帧起始符）', en: 'bytes outside any frame (no start byte where one was expected)' },
  bad_length: { zh: '长度字段小于最小帧长', en: 'length field below the smallest possible frame' },
  too_long: { zh: '长度字段超过最大帧长', en: 'length field announces a frame longer than the maximum' },
  bad_end: { zh: '帧结束符错误', en: 'the byte where the end marker belongs is something else' },
  bad_checksum: { zh: '校验和错误', en: 'checksum does not match the frame contents' },
  truncated: { zh: '帧不完整（数据中断）', en: 'frame started but its remaining bytes never came' },
} as const satisfies Record<string, Text>;

export type RejectReason = keyof typeof REJECT_REASONS;
export const REJECT_REASON_LIST = Object.keys(REJECT_REASONS) as RejectReason[];

/**
 * How frames of one direction are delimited and verified. The streaming decoder is generic over this:
 * it scans for `syncByte`, asks `measure` for the frame length once `headerBytes` are in, then `check`s the whole frame.
 * Functions receive the buffer and an offset instead of slices so the hot path allocates nothing.
 */
export interface Framing {
  /** First byte of every frame; the decoder resynchronises on it. */
  syncByte: number;
  /** Bytes needed from the sync byte on before `measure` can tell the frame's total length. */
  headerBytes: number;
  /** Longest valid frame, in bytes. */
  maxFrameBytes: number;
  /** Total frame length from its header at `offset`, or the reason the header is impossible. */
  measure(buf: Uint8Array, offset: number): number | RejectReason;
  /** Verifies a complete candidate frame; null when it is valid. */
  check(buf: Uint8Array, offset: number, length: number): RejectReason | null;
}

/** What the status command reports, in profile-independent terms. */
export interface ReaderStatus {
  cardPresent: boolean;
  cardPowered: boolean;
  hardwareFault: boolean;
  /** The raw status byte(s) as a number, for evidence. */
  raw: number;
}

/**
 * One command of the table. The same four functions serve both ends — the client encodes requests and decodes
 * replies, the emulator does the reverse — so the bit layout is written once.
 * The decode functions throw CommandDataError when the data has the wrong shape.
 */
export interface CommandSpec<Req, Res> {
  name: string;
  code: number;
  encodeRequest(request: Req): Buffer;
  decodeRequest(data: Uint8Array): Req;
  encodeReply(reply: Res): Buffer;
  decodeReply(data: Uint8Array): Res;
}

export interface BeepRequest {
  durationMs: number;
}

/** Semantic commands a reader check may use. `beep` and `selfTest` are optional: not every vendor has them. */
export interface ReaderCommands {
  version: CommandSpec<void, string>;
  status: CommandSpec<void, ReaderStatus>;
  beep?: CommandSpec<BeepRequest, void>;
  selfTest?: CommandSpec<void, void>;
}

export type CommandName = keyof ReaderCommands;

/** Data of a well-formed frame that does not fit its command (wrong length, non-text version, ...). */
export class CommandDataError extends Error {
  override readonly name = 'CommandDataError';
  constructor(
    readonly command: string,
    message: string,
  ) {
    super(`${command}: ${message}`);
  }
}
