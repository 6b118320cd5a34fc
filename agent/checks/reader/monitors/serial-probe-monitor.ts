import { existsSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import { ReaderClient } from '../../../../firmware-bridge/client/reader-client.js';
import { runHealthProbe } from '../../../../firmware-bridge/health/health-probe.js';
import type { ReaderProfile, SerialSettings } from '../../../../firmware-bridge/profiles/types.js';
import { portUsers, type PortUser } from '../../../../firmware-bridge/serial/port-users.js';
import { openSerialPort, SerialOpenError } from '../../../../firmware-bridge/serial/serial-open.js';
import type { Presence, ReaderObservation, Watch } from '../observation.js';
import { ReaderHealth, type HealthView } from '../reader-health.js';
import type { ResolvedReaderConfig } from '../schema.js';
import type { ReaderMonitor } from './types.js';
import { settledWithin } from './settled-within.js';

export interface SerialProbeMonitorOptions {
  config: ResolvedReaderConfig;
  profile: ReaderProfile;
  /** Injectable for tests (a socat pty is always held by socat itself). */
  portUsers?: (path: string) => Promise<PortUser[] | null>;
  openPort?: (path: string, settings: SerialSettings) => Promise<Duplex>;
  now?: () => number;
}

/**
 * serial-probe: every `probeIntervalSeconds` opens the port, asks status and version, closes it. Between probes the
 * port is left to the settlement software. Presence is looked at on every run (does the device node exist), so a
 * USB-serial reader pulled out shows at the next run; plugged back in, it is probed at once.
 * A port someone else holds is "in use" and not opened — neither the lock nor the line settings are touched. What was
 * observed before still counts for two probe intervals (a probe may just have met a card being read); after that the
 * reader is `not_observed`, with for how long: a dead reader behind a busy port must not look fine.
 */
export class SerialProbeMonitor implements ReaderMonitor {
  private readonly c: ResolvedReaderConfig;
  private readonly health: ReaderHealth;
  private readonly now: () => number;
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private missing = false;
  /** When watching began: how long a reader never observed has gone unobserved. */
  private watchingSince = 0;
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
    this.watchingSince = this.now();
    this.kick();
    this.timer = setInterval(() => this.kick(), this.c.probeIntervalSeconds * 1000);
    this.timer.unref();
  }

  async observe(waitMs = 0): Promise<ReaderObservation> {
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
    if (!this.health.view(this.now()).observedSinceFound && !this.inUseBy && !this.portError) {
      // No verdict yet: wait (bounded) for the probe under way, or start one if the last attempt learnt nothing.
      this.kick();
      if (this.running && waitMs > 0) await settledWithin(this.running, waitMs);
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
    const now = this.now();
    const health = this.health.view(now);
    return {
      presence,
      ...(presence.kind === 'present' || presence.kind === 'in_use' ? { watch: this.watch(presence, health, now) } : {}),
      health,
      cardInsertions: health.cardInsertions,
      evidence: { port: this.c.port, probes: this.probes },
    };
  }

  private watch(presence: Presence, health: HealthView, now: number): Watch {
    const last = health.lastObservedAtMs;
    const fresh = health.observedSinceFound && last !== null && now - last <= 2 * this.c.probeIntervalSeconds * 1000;
    if (presence.kind === 'in_use' && !fresh) {
      return {
        kind: 'not_observed',
        forMs: now - (last ?? this.watchingSince),
        why: {
          zh: `端口被 ${presence.by} 占用，无法探测；要在结算软件占用端口时持续监测，请改用桥接模式（mode: serial-bridge）`,
          en: `its port is held by ${presence.by}, so it cannot be probed; to watch a port the settlement software holds, use bridge mode (mode: serial-bridge)`,
        },
      };
    }
    if (!health.observedSinceFound || last === null) return { kind: 'pending', forMs: now - (last ?? this.watchingSince) };
    return { kind: 'observed', agoMs: now - last };
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
