import { FrameDecoder, type DecoderStats, type Rejection } from '../codec/frame-decoder.js';
import type { ReaderProfile } from '../profiles/types.js';
import type { ExchangeOutcome, LineNoise, ObservedExchange } from '../health/observed-exchange.js';
import { commandName, interpretReply, type ReplyMeaning } from '../health/reply-meaning.js';

export interface ObserverCounters {
  requests: number;
  responses: number;
  timeouts: number;
  naks: number;
  checksumErrors: number;
  /** Rejections other than checksum errors and NAKs: garbage, bad length or end marker, truncated frames. */
  framingErrors: number;
  errorStatus: number;
  /** Valid replies with no matching request pending (late replies, or a reader talking by itself). */
  unexpectedReplies: number;
  /** Request bytes that were not a valid request frame: the settlement software speaks another protocol (wrong profile?). */
  requestRejects: number;
}

export interface ExchangeObserverOptions {
  profile: ReaderProfile;
  /** A request without a reply after this long is a timeout. */
  responseTimeoutMs: number;
  /** An unfinished frame is given up (flushed as truncated) after this much silence. */
  interByteGapMs?: number;
  onExchange(exchange: ObservedExchange): void;
  now?: () => number;
}

interface Pending {
  cmd: number;
  sentAt: number;
  /** Rejected bytes while it waited for its reply. */
  noise: LineNoise;
  timer: NodeJS.Timeout;
}

/**
 * Watches a request/response conversation it does not take part in: the settlement software's traffic through the
 * bridge. Decodes both directions on the side (the bytes themselves are forwarded untouched by the caller), pairs
 * replies with requests by command code, and reports each finished exchange with its latency and what went wrong.
 */
export class ExchangeObserver {
  private readonly profile: ReaderProfile;
  private readonly responseTimeoutMs: number;
  private readonly gapMs: number;
  private readonly now: () => number;
  private readonly onExchange: (exchange: ObservedExchange) => void;
  private readonly requests: FrameDecoder;
  private readonly responses: FrameDecoder;
  private pending: Pending | undefined;
  /** The response chunk being decoded right now, with its stream offset (for NAK detection). */
  private chunk: { base: number; bytes: Uint8Array } | undefined;
  private requestGap: NodeJS.Timeout | undefined;
  private responseGap: NodeJS.Timeout | undefined;
  private readonly counters: ObserverCounters = {
    requests: 0,
    responses: 0,
    timeouts: 0,
    naks: 0,
    checksumErrors: 0,
    framingErrors: 0,
    errorStatus: 0,
    unexpectedReplies: 0,
    requestRejects: 0,
  };

  constructor(options: ExchangeObserverOptions) {
    this.profile = options.profile;
    this.responseTimeoutMs = options.responseTimeoutMs;
    this.gapMs = options.interByteGapMs ?? 100;
    this.now = options.now ?? (() => performance.now());
    this.onExchange = options.onExchange;
    this.requests = new FrameDecoder(this.profile.requestFraming, {
      onFrame: (frame) => this.onRequest(this.profile.parseRequest(frame.bytes).cmd),
      onReject: () => this.counters.requestRejects++,
    });
    this.responses = new FrameDecoder(this.profile.responseFraming, {
      onFrame: (frame) => this.onResponse(frame.bytes),
      onReject: (rejection) => this.onResponseReject(rejection),
    });
  }

  /** Bytes the settlement software sent towards the reader. */
  requestBytes(chunk: Uint8Array): void {
    this.requests.push(chunk);
    this.requestGap = this.rearm(this.requestGap, this.requests);
  }

  /** Bytes the reader sent towards the settlement software. */
  responseBytes(chunk: Uint8Array): void {
    this.chunk = { base: this.responses.stats().bytesFed, bytes: chunk };
    this.responses.push(chunk);
    this.chunk = undefined;
    this.responseGap = this.rearm(this.responseGap, this.responses);
  }

  /** Nothing in flight: no exchange waiting for its reply and no half-received frame in either direction. */
  get idle(): boolean {
    return this.pending === undefined && this.requests.pendingBytes === 0 && this.responses.pendingBytes === 0;
  }

  stats(): { counters: ObserverCounters; requestDecoder: DecoderStats; responseDecoder: DecoderStats } {
    return { counters: { ...this.counters }, requestDecoder: this.requests.stats(), responseDecoder: this.responses.stats() };
  }

  /** The link went away (unplug): a pending exchange can no longer complete. */
  abandon(): void {
    this.requests.flush();
    this.responses.flush();
    if (this.pending) this.timeout(this.pending);
  }

  close(): void {
    clearTimeout(this.requestGap);
    clearTimeout(this.responseGap);
    if (this.pending) clearTimeout(this.pending.timer);
    this.pending = undefined;
  }

  private rearm(timer: NodeJS.Timeout | undefined, decoder: FrameDecoder): NodeJS.Timeout | undefined {
    clearTimeout(timer);
    if (decoder.pendingBytes === 0) return undefined;
    const next = setTimeout(() => decoder.flush(), this.gapMs);
    next.unref();
    return next;
  }

  private onRequest(cmd: number): void {
    this.counters.requests++;
    // A new request while one is pending: the settlement software gave up waiting (its own timeout was shorter).
    if (this.pending) this.timeout(this.pending);
    const pending: Pending = { cmd, sentAt: this.now(), noise: { sequences: 0, bytes: 0 }, timer: setTimeout(() => this.timeout(pending), this.responseTimeoutMs) };
    pending.timer.unref();
    this.pending = pending;
  }

  private onResponse(bytes: Buffer): void {
    const reply = this.profile.parseResponse(bytes);
    const pending = this.pending;
    if (!pending || pending.cmd !== reply.cmd) {
      this.counters.unexpectedReplies++;
      return;
    }
    clearTimeout(pending.timer);
    this.pending = undefined;
    this.counters.responses++;
    const meaning = interpretReply(this.profile, reply);
    if (!meaning.statusOk) this.counters.errorStatus++;
    const outcome = !meaning.statusOk ? 'error_status' : meaning.badReply ? 'bad_reply' : 'ok';
    this.emit(pending, outcome, this.now() - pending.sentAt, meaning, false);
  }

  private onResponseReject(rejection: Rejection): void {
    const nak = this.profile.nakByte;
    if (nak !== undefined && rejection.reason === 'garbage' && rejection.length === 1 && this.isNak(rejection)) {
      this.counters.naks++;
      // A NAK answers the pending request: the reader refused it. The settlement software will resend.
      const pending = this.pending;
      if (pending) {
        clearTimeout(pending.timer);
        this.pending = undefined;
        this.emit(pending, 'error_status', this.now() - pending.sentAt, null, true);
      }
      return;
    }
    if (rejection.reason === 'bad_checksum') this.counters.checksumErrors++;
    else this.counters.framingErrors++;
    if (this.pending) {
      this.pending.noise.sequences++;
      this.pending.noise.bytes += rejection.length;
    }
  }

  /**
   * Rejections carry stream offsets, not bytes. Garbage is rejected while the chunk holding it is being scanned
   * (it is never held back as pending), so the byte is in the chunk being pushed.
   */
  private isNak(rejection: Rejection): boolean {
    const chunk = this.chunk;
    if (!chunk) return false;
    return chunk.bytes[rejection.offset - chunk.base] === this.profile.nakByte;
  }

  private timeout(pending: Pending): void {
    if (this.pending !== pending) return;
    clearTimeout(pending.timer);
    this.pending = undefined;
    this.counters.timeouts++;
    // Whatever partial reply came will not complete now.
    this.responses.flush();
    this.emit(pending, 'timeout', null, null, true);
  }

  /** `failed`: no valid reply to the request (a timeout or a NAK); noise before a valid reply is not a failure. */
  private emit(pending: Pending, outcome: ExchangeOutcome, latencyMs: number | null, reply: ReplyMeaning | null, failed: boolean): void {
    this.onExchange({
      source: 'app',
      command: commandName(this.profile, pending.cmd),
      outcome,
      latencyMs,
      failed,
      retries: 0,
      noise: { ...pending.noise },
      reply,
      at: this.now(),
    });
  }
}
