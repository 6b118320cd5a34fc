import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import { FrameDecoder, type DecoderStats, type Rejection } from '../codec/frame-decoder.js';
import {
  CommandDataError,
  type CommandSpec,
  type ReaderProfile,
  type ReaderStatus,
  type RequestFrame,
  type ResponseFrame,
} from '../profiles/types.js';
import { ReaderError, type ReaderErrorCode } from './reader-error.js';

export interface ReaderClientOptions {
  /** How long one attempt waits for its reply. At 9600 baud a 512-byte frame alone takes ~530 ms. */
  timeoutMs?: number;
  /** Attempts after the first one; bounded so a dead reader costs at most (retries + 1) × timeoutMs. */
  retries?: number;
  /** Every rejected byte sequence, for link-error accounting (READER_LINK_ERRORS). Runs inside the port's data event: must not throw. */
  onReject?(rejection: Rejection): void;
}

export interface RequestOptions {
  timeoutMs?: number;
  retries?: number;
  signal?: AbortSignal;
}

export interface Exchange<T> {
  value: T;
  attempts: number;
  /** From sending the attempt that was answered to its reply: the reader's response time. */
  latencyMs: number;
  /** From the first attempt to the reply, retries included. */
  totalMs: number;
}

export interface ClientStats {
  requests: number;
  attempts: number;
  retries: number;
  timeouts: number;
  responses: number;
  errorStatus: number;
  badReplies: number;
  /** Valid frames nobody asked for: late replies after a timeout, or a command other than the one pending. */
  unexpectedFrames: number;
  decoder: DecoderStats;
}

/** The exchange currently waiting for its reply. */
interface Pending {
  cmd: number;
  onResponse(response: ResponseFrame): void;
  onReject(rejection: Rejection): void;
  onClose(): void;
}

/**
 * Request/response client for one reader over any duplex byte transport (serialport, a pty, a memory pair).
 * One exchange at a time: these protocols carry no sequence number, so a reply is matched to the pending request by
 * its command code alone, and requests queue behind each other. The client owns the transport from here on.
 */
export class ReaderClient {
  private readonly decoder: FrameDecoder;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private pending: Pending | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private closeCause: unknown;
  private readonly counters = { requests: 0, attempts: 0, retries: 0, timeouts: 0, responses: 0, errorStatus: 0, badReplies: 0, unexpectedFrames: 0 };

  constructor(
    private readonly transport: Duplex,
    private readonly profile: ReaderProfile,
    options: ReaderClientOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 1000;
    this.retries = options.retries ?? 2;
    const onReject = options.onReject;
    this.decoder = new FrameDecoder(profile.responseFraming, {
      onFrame: (frame) => this.onFrame(profile.parseResponse(frame.bytes)),
      onReject: (rejection) => {
        this.pending?.onReject(rejection);
        onReject?.(rejection);
      },
    });
    transport.on('data', (chunk: Buffer) => this.decoder.push(chunk));
    // Without an 'error' listener a port error (EIO on unplug) would crash the process; 'close' follows it.
    transport.on('error', (error) => (this.closeCause ??= error));
    transport.on('close', () => {
      this.closed = true;
      this.decoder.flush();
      this.pending?.onClose();
    });
    if (transport.destroyed) this.closed = true;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  version(options?: RequestOptions): Promise<Exchange<string>> {
    return this.call(this.profile.commands.version, undefined, options);
  }

  status(options?: RequestOptions): Promise<Exchange<ReaderStatus>> {
    return this.call(this.profile.commands.status, undefined, options);
  }

  beep(durationMs: number, options?: RequestOptions): Promise<Exchange<void>> {
    return this.call(this.profile.commands.beep, { durationMs }, options, 'beep');
  }

  selfTest(options?: RequestOptions): Promise<Exchange<void>> {
    return this.call(this.profile.commands.selfTest, undefined, options, 'selfTest');
  }

  /** A table command: an error status and a malformed reply become ReaderErrors like a missing reply does. */
  async call<Req, Res>(spec: CommandSpec<Req, Res> | undefined, request: Req, options?: RequestOptions, name = spec?.name ?? '?'): Promise<Exchange<Res>> {
    if (!spec) throw new ReaderError('unsupported', `profile ${this.profile.id} has no ${name} command`, { command: name, attempts: 0 });
    const exchange = await this.request({ cmd: spec.code, data: spec.encodeRequest(request) }, options, spec.name);
    const { status, data } = exchange.value;
    const meaning = this.profile.describeStatus(status);
    if (!meaning.ok) {
      this.counters.errorStatus++;
      throw new ReaderError('error_status', meaning.text.en, { command: spec.name, attempts: exchange.attempts, status });
    }
    try {
      return { ...exchange, value: spec.decodeReply(data) };
    } catch (error) {
      if (!(error instanceof CommandDataError)) throw error;
      this.counters.badReplies++;
      throw new ReaderError('bad_reply', error.message, { command: spec.name, attempts: exchange.attempts, cause: error });
    }
  }

  /** One raw exchange with timeouts and bounded retries; queued behind any exchange in progress. */
  request(request: RequestFrame, options: RequestOptions = {}, command = `cmd 0x${request.cmd.toString(16)}`): Promise<Exchange<ResponseFrame>> {
    // Encoding inside the chain: an over-long request becomes a rejected promise, not a synchronous throw.
    const run = this.queue.then(() => this.exchange(this.profile.encodeRequest(request), request.cmd, command, options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  stats(): ClientStats {
    return { ...this.counters, decoder: this.decoder.stats() };
  }

  /** Closes the transport; pending and queued requests fail with port_closed. */
  async close(): Promise<void> {
    if (this.transport.destroyed) return;
    await new Promise<void>((resolve) => {
      this.transport.once('close', () => resolve());
      this.transport.destroy();
    });
  }

  private exchange(frame: Buffer, cmd: number, command: string, options: RequestOptions): Promise<Exchange<ResponseFrame>> {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const retries = options.retries ?? this.retries;
    const signal = options.signal;
    this.counters.requests++;
    return new Promise((resolve, reject) => {
      let attempts = 0;
      const rejections: Rejection[] = [];
      const firstSent = performance.now();
      let attemptSent = firstSent;
      let timer: NodeJS.Timeout | undefined;

      const fail = (code: ReaderErrorCode, message: string, cause?: unknown) => {
        finish();
        reject(new ReaderError(code, message, { command, attempts, rejections: rejections.slice(-8), cause }));
      };
      const finish = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (this.pending === pending) this.pending = undefined;
      };
      const onAbort = () => fail('aborted', 'request cancelled', signal?.reason);

      const pending: Pending = {
        cmd,
        onResponse: (response) => {
          finish();
          this.counters.responses++;
          const now = performance.now();
          resolve({ value: response, attempts, latencyMs: now - attemptSent, totalMs: now - firstSent });
        },
        onReject: (rejection) => rejections.push(rejection),
        onClose: () => fail('port_closed', 'port closed', this.closeCause),
      };

      const send = () => {
        attempts++;
        this.counters.attempts++;
        attemptSent = performance.now();
        this.transport.write(frame, (error) => {
          if (error && this.pending === pending) fail(this.closed ? 'port_closed' : 'write_failed', error.message, error);
        });
        timer = setTimeout(onTimeout, timeoutMs);
      };

      const onTimeout = () => {
        this.counters.timeouts++;
        // The line is quiet: a half-received reply will never complete. Flushing may still recover a whole frame
        // hidden behind a bogus header, which answers this exchange before a retry is sent.
        this.decoder.flush();
        if (this.pending !== pending) return;
        if (attempts <= retries) {
          this.counters.retries++;
          send();
          return;
        }
        // Every byte that was not a frame has been rejected by now (the flush above), so rejections tell the two apart.
        if (rejections.length > 0) fail('bad_frame', `no valid reply after ${attempts} attempts of ${timeoutMs} ms`);
        else fail('no_response', `no reply after ${attempts} attempts of ${timeoutMs} ms`);
      };

      if (this.closed) return fail('port_closed', 'port closed', this.closeCause);
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending = pending;
      send();
    });
  }

  private onFrame(response: ResponseFrame): void {
    if (this.pending && response.cmd === this.pending.cmd) this.pending.onResponse(response);
    else this.counters.unexpectedFrames++;
  }
}
