import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { FrameDecoder, type DecoderStats } from '../codec/frame-decoder.js';
import { CommandDataError, type ReaderProfile, type RequestFrame, type ResponseFrame } from '../profiles/types.js';
import { noLinkFaults, takeFault, validateFaults, type LinkFaults } from './emulator-faults.js';
import type { EmulatorPort } from './emulator-port.js';

/*
 * A card reader emulator that speaks a profile on a byte port, with faults switchable while it runs.
 * Privacy by construction: it models presence and an ATR only. There is no APDU path, no social-security application,
 * no records and no PIN, so nothing built against it can come to depend on card-holder data.
 */

export interface EmulatedCard {
  /** Answer-To-Reset, 2–33 bytes (ISO/IEC 7816-3). */
  atr: Buffer;
  powered: boolean;
}

export interface ReaderEmulatorOptions {
  profile: ReaderProfile;
  port: EmulatorPort;
  firmwareVersion?: string;
  /** A partial request is dropped after this much silence, as a reader's inter-byte timeout does. */
  interByteTimeoutMs?: number;
}

export interface EmulatorCounters {
  requests: number;
  replies: number;
  /** Requests swallowed by the noResponse fault. */
  dropped: number;
  unknownCommands: number;
  badParameters: number;
  beeps: number;
}

export interface EmulatorSnapshot {
  plugged: boolean;
  firmwareVersion: string;
  hardwareFault: boolean;
  card: { atr: string; powered: boolean } | null;
  faults: LinkFaults;
  counters: EmulatorCounters;
  decoder: DecoderStats;
}

/** A generic ATR (direct convention, no interface bytes): plausible, and no particular card's. */
export const DEFAULT_ATR = Buffer.from([0x3b, 0x02, 0x14, 0x50]);

/** Emits 'request' (RequestFrame) for each decoded request and 'reply' (Buffer) for each reply written. */
export class ReaderEmulator extends EventEmitter {
  readonly profile: ReaderProfile;
  private readonly port: EmulatorPort;
  private stream: Duplex | undefined;
  private plugging: Promise<void> | undefined;
  private readonly decoder: FrameDecoder;
  private readonly interByteTimeoutMs: number;
  private interByteTimer: NodeJS.Timeout | undefined;
  private readonly replyTimers = new Set<NodeJS.Timeout>();
  private firmwareVersion: string;
  private hardwareFault = false;
  private card: EmulatedCard | null = null;
  private faults: LinkFaults = noLinkFaults();
  private readonly counters: EmulatorCounters = { requests: 0, replies: 0, dropped: 0, unknownCommands: 0, badParameters: 0, beeps: 0 };

  constructor(options: ReaderEmulatorOptions) {
    super();
    this.profile = options.profile;
    this.port = options.port;
    this.interByteTimeoutMs = options.interByteTimeoutMs ?? 100;
    this.firmwareVersion = '';
    this.setFirmwareVersion(options.firmwareVersion ?? 'EMU-1.0.0');
    this.decoder = new FrameDecoder(this.profile.requestFraming, {
      onFrame: (frame) => this.onRequest(this.profile.parseRequest(frame.bytes)),
    });
  }

  get plugged(): boolean {
    return this.stream !== undefined;
  }

  /** Opens the port: the reader is connected. Concurrent calls share one open. */
  plug(): Promise<void> {
    if (this.stream) return Promise.resolve();
    this.plugging ??= this.open().finally(() => (this.plugging = undefined));
    return this.plugging;
  }

  private async open(): Promise<void> {
    const stream = await this.port.open();
    stream.on('data', (chunk: Buffer) => this.onBytes(chunk));
    // A write racing an unplug fails with EIO/EPIPE: expected, and 'close' follows.
    stream.on('error', () => undefined);
    stream.on('close', () => {
      if (this.stream === stream) this.detach();
    });
    this.stream = stream;
  }

  /** Closes the port (and makes the device vanish where the port can): the reader is disconnected. */
  async unplug(): Promise<void> {
    const stream = this.stream;
    this.detach();
    if (stream && !stream.destroyed) {
      await new Promise<void>((resolve) => {
        stream.once('close', () => resolve());
        stream.destroy();
      });
    }
    await this.port.unplug?.();
  }

  /** Plugs back in after an unplug. */
  replug(): Promise<void> {
    return this.plug();
  }

  /** Sets link faults; fields not given keep their value. */
  injectFaults(update: Partial<LinkFaults>): void {
    validateFaults(update);
    this.faults = { ...this.faults, ...update };
  }

  clearFaults(): void {
    this.faults = noLinkFaults();
  }

  insertCard(card: { atr?: Uint8Array; powered?: boolean } = {}): void {
    const atr = Buffer.from(card.atr ?? DEFAULT_ATR);
    if (atr.length < 2 || atr.length > 33) throw new RangeError(`an ATR has 2 to 33 bytes, not ${atr.length}`);
    this.card = { atr, powered: card.powered ?? false };
  }

  removeCard(): void {
    this.card = null;
  }

  setHardwareFault(on: boolean): void {
    this.hardwareFault = on;
  }

  /** Validated through the profile's own encoder, so an unencodable version fails here rather than on the wire. */
  setFirmwareVersion(version: string): void {
    this.profile.commands.version.encodeReply(version);
    this.firmwareVersion = version;
  }

  snapshot(): EmulatorSnapshot {
    return {
      plugged: this.plugged,
      firmwareVersion: this.firmwareVersion,
      hardwareFault: this.hardwareFault,
      card: this.card && { atr: this.card.atr.toString('hex'), powered: this.card.powered },
      faults: { ...this.faults, garbageBytes: Uint8Array.from(this.faults.garbageBytes) },
      counters: { ...this.counters },
      decoder: this.decoder.stats(),
    };
  }

  private onBytes(chunk: Buffer): void {
    this.decoder.push(chunk);
    clearTimeout(this.interByteTimer);
    if (this.decoder.pendingBytes > 0) this.interByteTimer = setTimeout(() => this.decoder.flush(), this.interByteTimeoutMs);
  }

  private onRequest(request: RequestFrame): void {
    this.counters.requests++;
    this.emit('request', request);
    if (takeFault(this.faults, 'noResponse')) {
      this.counters.dropped++;
      return;
    }
    let bytes = this.profile.encodeResponse(this.answer(request));
    if (takeFault(this.faults, 'badChecksum')) bytes = this.profile.corruptChecksum(bytes);
    if (takeFault(this.faults, 'garbage')) bytes = Buffer.concat([this.faults.garbageBytes, bytes]);
    const delay = this.faults.delayMs;
    if (delay <= 0) return this.send(bytes);
    const timer = setTimeout(() => {
      this.replyTimers.delete(timer);
      this.send(bytes);
    }, delay);
    this.replyTimers.add(timer);
  }

  /** What the reader says to a request, from its current state. */
  private answer(request: RequestFrame): ResponseFrame {
    const { commands, statusCodes } = this.profile;
    const reply = (data: Uint8Array, status: number = statusCodes.ok): ResponseFrame => ({ cmd: request.cmd, status, data });
    try {
      if (request.cmd === commands.version.code) {
        commands.version.decodeRequest(request.data);
        return reply(commands.version.encodeReply(this.firmwareVersion));
      }
      if (request.cmd === commands.status.code) {
        commands.status.decodeRequest(request.data);
        const card = this.card;
        return reply(commands.status.encodeReply({ cardPresent: !!card, cardPowered: !!card?.powered, hardwareFault: this.hardwareFault, raw: 0 }));
      }
      if (commands.beep && request.cmd === commands.beep.code) {
        commands.beep.decodeRequest(request.data);
        this.counters.beeps++;
        return reply(commands.beep.encodeReply());
      }
      if (commands.selfTest && request.cmd === commands.selfTest.code) {
        commands.selfTest.decodeRequest(request.data);
        return reply(commands.selfTest.encodeReply(), this.hardwareFault ? statusCodes.hardwareFault : statusCodes.ok);
      }
    } catch (error) {
      if (!(error instanceof CommandDataError)) throw error;
      this.counters.badParameters++;
      return reply(new Uint8Array(0), statusCodes.badParameter);
    }
    this.counters.unknownCommands++;
    return reply(new Uint8Array(0), statusCodes.unknownCommand);
  }

  private send(bytes: Buffer): void {
    if (!this.stream || this.stream.destroyed) return;
    this.counters.replies++;
    this.stream.write(bytes);
    this.emit('reply', bytes);
  }

  /** Forgets the stream: pending replies and a half-received request die with the connection. */
  private detach(): void {
    this.stream = undefined;
    for (const timer of this.replyTimers) clearTimeout(timer);
    this.replyTimers.clear();
    clearTimeout(this.interByteTimer);
    this.decoder.flush();
  }
}
