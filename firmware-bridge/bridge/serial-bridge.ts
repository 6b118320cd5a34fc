import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import { ReaderClient } from '../client/reader-client.js';
import { runHealthProbe } from '../health/health-probe.js';
import type { ObservedExchange } from '../health/observed-exchange.js';
import type { ReaderProfile } from '../profiles/types.js';
import { portUsers, type PortUser } from '../serial/port-users.js';
import { SerialOpenError } from '../serial/serial-open.js';
import { startAppPty, type AppPty, type AppPtyOptions } from './app-pty.js';
import { ExchangeObserver, type ObserverCounters } from './exchange-observer.js';
import { LatencyRing } from './latency-ring.js';
import { ProbeChannel } from './probe-channel.js';

/*
 * The firmware bridge: Guardpost holds the physical serial port and gives the settlement software a pseudo-terminal
 * in its place. Bytes pass through unchanged, in both directions, as they arrive (no buffering, no reframing);
 * copies are decoded on the side to time the settlement software's exchanges and count what goes wrong. When the
 * line has been quiet for `idleProbeMs` and no exchange is in flight, the bridge asks the reader for its status
 * itself; bytes the settlement software sends meanwhile are held until that probe is over, so the two conversations
 * never interleave on the wire.
 */

export type DeviceState = 'opening' | 'open' | 'missing' | 'busy' | 'denied' | 'error' | 'closed';

export interface SerialBridgeOptions {
  profile: ReaderProfile;
  /** The physical port, e.g. /dev/ttyUSB0 or /dev/serial/by-id/usb-Decard_...; watched for presence. */
  devicePath: string;
  /** Opens the physical port (serialport with the configured line settings, exclusively locked). */
  openDevice(): Promise<Duplex>;
  app: AppPtyOptions;
  /** Probe after the line has been quiet this long; 0: never probe (observe only). */
  idleProbeMs: number;
  /**
   * The first probe after the port opens needs only this much quiet (or idleProbeMs, if shorter): until an exchange
   * has been seen there is no verdict about the reader, and waiting the whole idle time would leave none for long.
   */
  firstProbeQuietMs?: number;
  probeTimeoutMs: number;
  probeRetries: number;
  /** A settlement-software request unanswered this long counts as a timeout. */
  responseTimeoutMs: number;
  /** How often to try reopening a port that went away or could not be opened (a stat per try while it is gone). */
  reopenMs?: number;
  /** Ask for the version on every Nth probe (and always on the first after an open). */
  versionEvery?: number;
  /**
   * Who else has the physical port open (/proc scan) before each open attempt; someone there means the settlement
   * software still uses the real port, which the bridge then leaves alone. null: skip the look, rely on the lock.
   */
  portUsers?: ((path: string) => Promise<PortUser[] | null>) | null;
  now?: () => number;
}

export interface BridgeSnapshot {
  devicePath: string;
  linkPath: string;
  device: { state: DeviceState; sinceMs: number; detail: string | null; users: PortUser[]; opens: number; losses: number };
  app: { running: boolean; restarts: number };
  traffic: { bytesFromApp: number; bytesToApp: number; droppedFromApp: number; heldDuringProbes: number };
  observer: ObserverCounters;
  probes: { count: number; lastAtMs: number | null };
  latency: { app: ReturnType<LatencyRing['summary']>; probe: ReturnType<LatencyRing['summary']> };
}

export interface SerialBridgeEvents {
  exchange: [exchange: ObservedExchange];
  device: [state: DeviceState, detail: string | null];
}

export class SerialBridge extends EventEmitter<SerialBridgeEvents> {
  private readonly o: Required<Omit<SerialBridgeOptions, 'portUsers'>> & Pick<SerialBridgeOptions, 'portUsers'>;
  private readonly observer: ExchangeObserver;
  private app: AppPty | undefined;
  private device: Duplex | undefined;
  private channel: ProbeChannel | undefined;
  private client: ReaderClient | undefined;
  private state: DeviceState = 'opening';
  private stateSince: number;
  private detail: string | null = null;
  private users: PortUser[] = [];
  private probing = false;
  private probesSinceOpen = 0;
  private held: Buffer[] = [];
  private lastActivity: number;
  private idleTimer: NodeJS.Timeout | undefined;
  private reopenTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly appLatency = new LatencyRing();
  private readonly probeLatency = new LatencyRing();
  private readonly counts = { opens: 0, losses: 0, appRestarts: 0, probes: 0, lastProbeAt: null as number | null };
  private readonly traffic = { bytesFromApp: 0, bytesToApp: 0, droppedFromApp: 0, heldDuringProbes: 0 };

  constructor(options: SerialBridgeOptions) {
    super();
    this.o = { reopenMs: 250, versionEvery: 10, firstProbeQuietMs: 250, now: () => performance.now(), ...options };
    this.stateSince = this.lastActivity = this.o.now();
    this.observer = new ExchangeObserver({
      profile: options.profile,
      responseTimeoutMs: options.responseTimeoutMs,
      now: this.o.now,
      onExchange: (exchange) => this.record(exchange),
    });
  }

  get linkPath(): string {
    return this.o.app.linkPath;
  }

  /** Creates the settlement software's pty (throws if it cannot) and opens the physical port (retrying on its own). */
  async start(): Promise<void> {
    await this.startApp();
    await this.openDevice();
  }

  snapshot(): BridgeSnapshot {
    // A USB-serial node gone while we believe the port open: the close event is on its way; report what is true now.
    const state = this.state === 'open' && !existsSync(this.o.devicePath) ? 'missing' : this.state;
    return {
      devicePath: this.o.devicePath,
      linkPath: this.o.app.linkPath,
      device: { state, sinceMs: this.stateSince, detail: this.detail, users: this.users, opens: this.counts.opens, losses: this.counts.losses },
      app: { running: this.app !== undefined, restarts: this.counts.appRestarts },
      traffic: { ...this.traffic },
      observer: this.observer.stats().counters,
      probes: { count: this.counts.probes, lastAtMs: this.counts.lastProbeAt },
      latency: { app: this.appLatency.summary(), probe: this.probeLatency.summary() },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.idleTimer);
    clearTimeout(this.reopenTimer);
    this.detachDevice();
    this.observer.close();
    await this.app?.stop();
    this.app = undefined;
  }

  // ── settlement software side ────────────────────────────────────────────────────────────────────────────────────

  private async startApp(): Promise<void> {
    const app = await startAppPty(this.o.app);
    this.app = app;
    app.fromApp.on('data', (chunk: Buffer) => this.onAppData(chunk));
    void app.exited.then(() => this.onAppExit(app));
  }

  private onAppExit(app: AppPty): void {
    if (this.app !== app) return;
    this.app = undefined;
    if (this.closed) return;
    // socat died under us: the settlement software lost its port. Make it again at the same path.
    this.counts.appRestarts++;
    setTimeout(() => void this.startApp().catch(() => this.onAppExit(app)), 1000).unref();
  }

  private onAppData(chunk: Buffer): void {
    this.lastActivity = this.o.now();
    this.traffic.bytesFromApp += chunk.length;
    if (this.probing) {
      this.traffic.heldDuringProbes += chunk.length;
      this.held.push(chunk);
      return;
    }
    this.toDevice(chunk);
  }

  private toDevice(chunk: Buffer): void {
    const device = this.device;
    if (device) device.write(chunk);
    else this.traffic.droppedFromApp += chunk.length;
    // Observed even with no device: the settlement software's unanswered requests are what it experiences.
    this.observer.requestBytes(chunk);
  }

  // ── reader side ─────────────────────────────────────────────────────────────────────────────────────────────────

  private onDeviceData(chunk: Buffer): void {
    this.lastActivity = this.o.now();
    if (this.probing) {
      this.channel?.deliver(chunk);
      return;
    }
    this.app?.toApp.write(chunk);
    this.traffic.bytesToApp += chunk.length;
    this.observer.responseBytes(chunk);
  }

  private async openDevice(): Promise<void> {
    this.reopenTimer = undefined;
    if (this.closed || this.device) return;
    const path = this.o.devicePath;
    if (!existsSync(path)) return this.retryOpen('missing', 'no such device');
    const users = this.o.portUsers === null ? [] : ((await (this.o.portUsers ?? portUsers)(path)) ?? []);
    if (users.length > 0) {
      this.users = users;
      return this.retryOpen('busy', `in use by ${users.map((u) => `${u.command} (pid ${u.pid})`).join(', ')}`, 20);
    }
    let device: Duplex;
    try {
      device = await this.o.openDevice();
    } catch (error) {
      const kind = error instanceof SerialOpenError ? error.kind : 'failed';
      const state: DeviceState = kind === 'failed' ? 'error' : kind;
      return this.retryOpen(state, (error as Error).message, kind === 'busy' ? 20 : 1);
    }
    if (this.closed) {
      device.destroy();
      return;
    }
    this.attachDevice(device);
  }

  private retryOpen(state: DeviceState, detail: string, slower = 1): void {
    if (state !== 'busy') this.users = [];
    this.setState(state, detail);
    if (this.closed) return;
    this.reopenTimer = setTimeout(() => void this.openDevice(), this.o.reopenMs * slower);
    this.reopenTimer.unref();
  }

  private attachDevice(device: Duplex): void {
    this.device = device;
    this.users = [];
    this.counts.opens++;
    this.probesSinceOpen = 0;
    device.on('data', (chunk: Buffer) => this.onDeviceData(chunk));
    // EIO on a write racing an unplug; the close that follows is what counts.
    device.on('error', () => undefined);
    device.on('close', () => this.onDeviceClose(device));
    this.channel = new ProbeChannel((chunk) => device.write(chunk));
    this.client = new ReaderClient(this.channel, this.o.profile, { timeoutMs: this.o.probeTimeoutMs, retries: this.o.probeRetries });
    this.setState('open', null);
    this.armIdle(this.quietNeeded());
  }

  private onDeviceClose(device: Duplex): void {
    if (this.device !== device) return;
    this.detachDevice();
    this.counts.losses++;
    if (this.closed) return;
    this.retryOpen(existsSync(this.o.devicePath) ? 'closed' : 'missing', 'the port closed (device unplugged or driver reset)');
  }

  private detachDevice(): void {
    const device = this.device;
    this.device = undefined;
    this.channel?.destroy();
    this.channel = undefined;
    this.client = undefined;
    this.observer.abandon();
    if (device && !device.destroyed) device.destroy();
  }

  private setState(state: DeviceState, detail: string | null): void {
    this.detail = detail;
    if (state === this.state) return;
    this.state = state;
    this.stateSince = this.o.now();
    this.emit('device', state, detail);
  }

  // ── own probe, only on an idle line ─────────────────────────────────────────────────────────────────────────────

  private armIdle(delayMs: number): void {
    clearTimeout(this.idleTimer);
    if (this.o.idleProbeMs <= 0 || this.closed) return;
    this.idleTimer = setTimeout(() => void this.onIdleTimer(), Math.max(1, delayMs));
    this.idleTimer.unref();
  }

  private async onIdleTimer(): Promise<void> {
    if (!this.device || this.closed) return;
    const quietFor = this.o.now() - this.lastActivity;
    const needed = this.quietNeeded();
    if (quietFor < needed || !this.observer.idle) return this.armIdle(Math.max(needed - quietFor, 20));
    await this.probe();
    this.armIdle(this.quietNeeded());
  }

  /** Quiet time before the next own probe: short for the first one after an open. */
  private quietNeeded(): number {
    return this.probesSinceOpen === 0 ? Math.min(this.o.idleProbeMs, this.o.firstProbeQuietMs) : this.o.idleProbeMs;
  }

  private async probe(): Promise<void> {
    const client = this.client;
    if (!client || this.probing) return;
    this.probing = true;
    try {
      const askVersion = this.probesSinceOpen % this.o.versionEvery === 0;
      const result = await runHealthProbe(client, this.o.profile, { askVersion, timeoutMs: this.o.probeTimeoutMs, retries: this.o.probeRetries, now: this.o.now });
      this.probesSinceOpen++;
      this.counts.probes++;
      this.counts.lastProbeAt = this.o.now();
      for (const exchange of result.exchanges) this.record(exchange);
    } finally {
      this.probing = false;
      this.lastActivity = this.o.now();
      const held = this.held;
      this.held = [];
      for (const chunk of held) this.toDevice(chunk);
    }
  }

  private record(exchange: ObservedExchange): void {
    if (exchange.latencyMs !== null) (exchange.source === 'app' ? this.appLatency : this.probeLatency).add(exchange.latencyMs);
    this.emit('exchange', exchange);
  }
}
