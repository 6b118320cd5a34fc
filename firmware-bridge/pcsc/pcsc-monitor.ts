import { EventEmitter, once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { cardPresent, pcscErrorCode, SERVICE_DOWN_CODES, stateFlags, type ScardStateFlag } from './pcsc-state.js';
import { compareText } from '../../agent/core/text.js';

/*
 * Follows PC/SC readers and cards through the `pcsclite` binding, event-driven: the binding runs one thread per
 * context blocked in SCardGetStatusChange(INFINITE) — on "\\?PnP?\Notification" for reader arrival/removal and on
 * each reader for card insertion/removal — and wakes the event loop only when something changes.
 *
 * Presence and ATR only. The monitor never calls SCardConnect: the ATR comes with the status change itself, so the
 * settlement software's connection to the card is never shared, reset or blocked, no APDU is ever sent, and nothing
 * of the card holder's is read.
 *
 * Service loss (pcscd stopped or crashed, SCardSvr stopped on Windows): the binding's context dies for good (its
 * thread exits after SCARD_F_COMM_ERROR) and a new one cannot be established while the daemon is away
 * (SCARD_E_NO_SERVICE, thrown by the constructor). The monitor reports the service down and tries a fresh context
 * every `retryMs` until one works; readers are then rediscovered from scratch.
 */

/** The binding's shape, as far as we use it (pcsclite 1.0, index.d.ts). */
export interface PcscReaderHandle extends EventEmitter {
  name: string;
  close(): void;
}
export interface PcscContextHandle extends EventEmitter {
  close(): void;
}
export type PcscFactory = () => PcscContextHandle;

export type PcscServiceState = 'starting' | 'up' | 'down';

export interface PcscReaderView {
  name: string;
  cardPresent: boolean;
  /** Hex ATR of the card in the reader, null when empty. */
  atr: string | null;
  /** Raw dwEventState of the last change. */
  state: number;
  flags: ScardStateFlag[];
  /** Card insertions seen since the reader was discovered. */
  insertions: number;
  /** When this reader was discovered (ms, monitor clock). */
  sinceMs: number;
}

export interface PcscSnapshot {
  service: PcscServiceState;
  /** Why the service is down, e.g. "SCARD_E_NO_SERVICE: Service not available". */
  serviceError: string | null;
  serviceDownSinceMs: number | null;
  /** Times the service came back after being down. */
  serviceRecoveries: number;
  readers: PcscReaderView[];
}

export interface PcscMonitorEvents {
  service: [state: 'up' | 'down', error: string | null];
  reader: [change: 'added' | 'removed', name: string];
  card: [change: 'inserted' | 'removed', reader: string, atr: string | null];
}

export interface PcscMonitorOptions {
  /** How often to try a new context while the service is down. */
  retryMs?: number;
  /** How long to wait for the first reader list of a new context before reporting the service up without readers. */
  settleMs?: number;
  /** The binding; injectable for tests of the state machine. Default: the `pcsclite` package, loaded lazily. */
  load?: () => Promise<PcscFactory>;
  now?: () => number;
}

async function loadPcsclite(): Promise<PcscFactory> {
  // Lazy: loading it loads libpcsclite; only the isolated check's child process should.
  const mod = (await import('pcsclite')) as unknown as { default: PcscFactory };
  return mod.default;
}

export class PcscMonitor extends EventEmitter<PcscMonitorEvents> {
  private readonly retryMs: number;
  private readonly settleMs: number;
  private readonly load: () => Promise<PcscFactory>;
  private readonly now: () => number;
  private factory: PcscFactory | undefined;
  private context: PcscContextHandle | undefined;
  private readonly readers = new Map<string, { handle: PcscReaderHandle; view: PcscReaderView }>();
  private service: PcscServiceState = 'starting';
  private serviceError: string | null = null;
  private downSince: number | null = null;
  private recoveries = 0;
  private everUp = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private firstAttempt: Promise<void> | undefined;

  constructor(options: PcscMonitorOptions = {}) {
    super();
    this.retryMs = options.retryMs ?? 1000;
    this.settleMs = options.settleMs ?? 150;
    this.load = options.load ?? loadPcsclite;
    this.now = options.now ?? (() => performance.now());
  }

  /** Starts following; resolves after the first attempt to reach the service (up or down, never rejects). */
  start(): Promise<void> {
    this.firstAttempt ??= this.connect();
    return this.firstAttempt;
  }

  snapshot(): PcscSnapshot {
    return {
      service: this.service,
      serviceError: this.serviceError,
      serviceDownSinceMs: this.downSince,
      serviceRecoveries: this.recoveries,
      readers: [...this.readers.values()].map(({ view }) => ({ ...view, flags: [...view.flags] })).sort((a, b) => compareText(a.name, b.name)),
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    await this.firstAttempt?.catch(() => undefined);
    this.dropContext();
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    try {
      this.factory ??= await this.load();
      const context = this.factory();
      this.context = context;
      context.on('error', (error: Error) => this.onContextError(context, error));
      context.on('reader', (reader: PcscReaderHandle) => this.onReader(context, reader));
      // The binding lists the readers from its own thread right after the context is made; wait for that list (or
      // a moment, when there are no readers) so "up" never comes with a reader list that is merely not filled yet.
      await Promise.race([once(context, 'reader'), sleep(this.settleMs)]);
      if (context !== this.context) return;
      await sleep(5); // the rest of the first list arrives in the same batch
      this.markUp();
    } catch (error) {
      this.markDown(describeError(error));
      this.scheduleRetry();
    }
  }

  private onReader(context: PcscContextHandle, reader: PcscReaderHandle): void {
    if (context !== this.context) return;
    const view: PcscReaderView = { name: reader.name, cardPresent: false, atr: null, state: 0, flags: [], insertions: 0, sinceMs: this.now() };
    this.readers.get(reader.name)?.handle.close();
    this.readers.set(reader.name, { handle: reader, view });
    // Errors come before the context's own error when the service dies; the context error decides.
    reader.on('error', () => undefined);
    reader.on('status', (status: { state: number; atr?: Buffer }) => this.onStatus(reader, view, status));
    reader.on('end', () => {
      if (this.readers.get(reader.name)?.handle !== reader) return;
      this.readers.delete(reader.name);
      if (context === this.context) this.emit('reader', 'removed', reader.name);
    });
    this.emit('reader', 'added', reader.name);
  }

  private onStatus(reader: PcscReaderHandle, view: PcscReaderView, status: { state: number; atr?: Buffer }): void {
    if (this.readers.get(reader.name)?.handle !== reader) return;
    const present = cardPresent(status.state);
    const atr = present && status.atr && status.atr.length > 0 ? status.atr.toString('hex') : null;
    const was = view.cardPresent;
    view.state = status.state;
    view.flags = stateFlags(status.state);
    view.cardPresent = present;
    view.atr = atr;
    if (present && !was) {
      view.insertions++;
      this.emit('card', 'inserted', reader.name, atr);
    } else if (!present && was) {
      this.emit('card', 'removed', reader.name, null);
    }
  }

  private onContextError(context: PcscContextHandle, error: Error): void {
    if (this.closed || context !== this.context) return;
    this.dropContext();
    this.markDown(describeError(error));
    this.scheduleRetry();
  }

  private markUp(): void {
    if (this.service === 'up') return;
    if (this.everUp) this.recoveries++;
    this.everUp = true;
    this.service = 'up';
    this.serviceError = null;
    this.downSince = null;
    this.emit('service', 'up', null);
  }

  private markDown(reason: string): void {
    this.serviceError = reason;
    if (this.service === 'down') return;
    this.service = 'down';
    this.downSince = this.now();
    this.emit('service', 'down', reason);
  }

  private scheduleRetry(): void {
    if (this.closed) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), this.retryMs);
    this.retryTimer.unref();
  }

  /** Closes the context and every reader of it. Closing joins the binding's threads, which SCardCancel wakes. */
  private dropContext(): void {
    const context = this.context;
    this.context = undefined;
    const readers = [...this.readers.values()];
    this.readers.clear();
    for (const { handle } of readers) safely(() => handle.close());
    if (context) safely(() => context.close());
  }
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // A context whose daemon is gone may refuse to close cleanly; it is being dropped either way.
  }
}

function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = pcscErrorCode(message);
  const name = code ? SERVICE_DOWN_CODES[code] : undefined;
  return name ? `${name}: ${message}` : message;
}
