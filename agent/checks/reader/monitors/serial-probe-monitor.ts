import { existsSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { ReaderClient } from '../../../../firmware-bridge/client/reader-client.js';
import { runHealthProbe } from '../../../../firmware-bridge/health/health-probe.js';
import type { ReaderProfile, SerialSettings } from '../../../../firmware-bridge/profiles/types.js';
import { portUsers, type PortUser } from '../../../../firmware-bridge/serial/port-users.js';
import { openSerialPort, SerialOpenError } from '../../../../firmware-bridge/serial/serial-open.js';
import type { Presence, ReaderObservation } from '../observation.js';
import { ReaderHealth } from '../reader-health.js';
import type { ResolvedReaderConfig } from '../schema.js';
import type { ReaderMonitor } from './types.js';

export interface SerialProbeMonitorOptions {
  config: ResolvedReaderConfig;
  profile: ReaderProfile;
  /** Injectable for tests (a socat pty is always held by socat itself). */
  portUsers?: (path: string) => Promise<PortUser[] | null>;
  openPort?: (path: string, settings: SerialSettings) => Promise<Duplex>;
  /**
   * The first run waits this long for the first probe, so a one-shot `guardpost check` has something to say. Short:
   * the first run also pays for the isolated child's start, and with a 1 s interval the whole run must fit in 1 s.
   */
  firstObserveWaitMs?: number;
  now?: () => number;
}

/**
 * serial-probe: every `probeIntervalSeconds` opens the port, asks status and version, closes it. Between probes the
 * port is left to the settlement software. Presence is looked at on every run (does the device node exist), so a
 * USB-serial reader pulled out shows at the next run; plugged back in, it is probed at once.
 * A port someone else holds is "in use": fine, and not opened — neither the lock nor the line settings are touched.
 */
export class SerialProbeMonitor implements ReaderMonitor {
  private readonly c: ResolvedReaderConfig;
  private readonly health: ReaderHealth;
  private readonly now: () => number;
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private observedOnce = false;
  private missing = false;
  private inUseBy: string | null = null;
  private portError: string | null = null;
  private probes = 0;
  private closed = false;

  constructor(private readonly o: SerialProbeMonitorOptions) {
    this.c = o.config;
    this.now = o.now ?? (() => performance.now());
    this.health = new ReaderHealth(this.c.linkErrors.windowSeconds * 1000, this.c.noResponseAfter);
  }

  async start(): Promise<void> {
    this.kick();
    this.timer = setInterval(() => this.kick(), this.c.probeIntervalSeconds * 1000);
    this.timer.unref();
  }

  async observe(): Promise<ReaderObservation> {
    if (!this.observedOnce) {
      this.observedOnce = true;
      if (this.running) await Promise.race([this.running, sleep(this.o.firstObserveWaitMs ?? 250)]);
    }
    const port = this.c.port;
    if (!existsSync(port)) {
      if (!this.missing) this.health.deviceLost();
      this.missing = true;
      return this.observation({ kind: 'absent', detail: { zh: `串口 ${port} 不存在（读卡器未连接或已拔出）`, en: `${port} does not exist (reader unplugged or not connected)` } });
    }
    if (this.missing) {
      // Plugged back in: look at it now rather than at the next interval.
      this.missing = false;
      this.kick();
    }
    if (this.portError) return this.observation({ kind: 'port_error', detail: { zh: `无法打开串口 ${port}：${this.portError}`, en: `cannot open ${port}: ${this.portError}` } });
    return this.observation(this.inUseBy ? { kind: 'in_use', by: this.inUseBy } : { kind: 'present' });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.running;
  }

  private observation(presence: Presence): ReaderObservation {
    const health = this.health.view(this.now());
    return {
      presence,
      health,
      cardInsertions: health.cardInsertions,
      evidence: { port: this.c.port, probes: this.probes },
    };
  }

  private kick(): void {
    if (this.closed || this.running) return;
    this.running = this.probeOnce().finally(() => (this.running = undefined));
  }

  private async probeOnce(): Promise<void> {
    const { port, serial } = this.c;
    if (!existsSync(port)) return;
    if (serial.inUseCheck === 'processes') {
      const users = await (this.o.portUsers ?? portUsers)(port);
      if (users && users.length > 0) return this.setInUse(users.map((u) => `${u.command} (pid ${u.pid})`).join(', '));
    }
    let stream: Duplex;
    try {
      stream = await (this.o.openPort ?? openSerialPort)(port, serial);
    } catch (error) {
      const kind = error instanceof SerialOpenError ? error.kind : 'failed';
      if (kind === 'busy') return this.setInUse('another program (port locked)');
      if (kind === 'missing') return;
      this.portError = (error as Error).message;
      return;
    }
    this.inUseBy = null;
    this.portError = null;
    const client = new ReaderClient(stream, this.o.profile, { timeoutMs: this.c.responseTimeoutMs, retries: this.c.retries });
    try {
      const result = await runHealthProbe(client, this.o.profile, { askVersion: true, timeoutMs: this.c.responseTimeoutMs, retries: this.c.retries, now: this.now });
      for (const exchange of result.exchanges) this.health.record(exchange);
      this.probes++;
    } finally {
      await client.close();
    }
  }

  private setInUse(by: string): void {
    this.inUseBy = by;
    this.portError = null;
  }
}
