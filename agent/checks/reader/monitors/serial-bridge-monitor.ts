import type { Duplex } from 'node:stream';
import { SerialBridge, type DeviceState } from '../../../../firmware-bridge/bridge/serial-bridge.js';
import type { ReaderProfile } from '../../../../firmware-bridge/profiles/types.js';
import type { PortUser } from '../../../../firmware-bridge/serial/port-users.js';
import { openSerialDevice } from '../../../../firmware-bridge/serial/serial-tty.js';
import type { Presence, ReaderObservation, Watch } from '../observation.js';
import { ReaderHealth, type HealthView } from '../reader-health.js';
import type { ResolvedReaderConfig } from '../schema.js';
import type { ReaderMonitor } from './types.js';
import { settledWithin } from './settled-within.js';

export interface SerialBridgeMonitorOptions {
  config: ResolvedReaderConfig;
  profile: ReaderProfile;
  portUsers?: ((path: string) => Promise<PortUser[] | null>) | null;
  openPort?: () => Promise<Duplex>;
  now?: () => number;
}

/**
 * serial-bridge: the bridge holds the physical port for as long as the check runs and hands the settlement software
 * a pty; every exchange passing through (and the bridge's own idle-line probes) feeds the reader's health. An unplug
 * is the port's close event, seen at once; the bridge reopens the port by itself when the reader comes back.
 * Until an exchange has been seen on a newly opened port there is no verdict (`pending`: the bridge probes a quiet
 * line within a second of opening it), and none can come while the real port is still held by the settlement
 * software or, with own probes off, before it talks (`not_observed`).
 */
export class SerialBridgeMonitor implements ReaderMonitor {
  private readonly c: ResolvedReaderConfig;
  private readonly health: ReaderHealth;
  private readonly now: () => number;
  private readonly bridge: SerialBridge;
  private readonly watchingSince: number;
  /** Resolves at the next exchange: what a run with no verdict yet waits for. */
  private nextExchange: { promise: Promise<void>; resolve: () => void } | undefined;

  constructor(o: SerialBridgeMonitorOptions) {
    this.c = o.config;
    this.now = o.now ?? (() => performance.now());
    this.health = new ReaderHealth(this.c.linkErrors.windowSeconds * 1000, this.c.noResponseAfter);
    this.watchingSince = this.now();
    const { port, serial, bridge } = this.c;
    this.bridge = new SerialBridge({
      profile: o.profile,
      devicePath: port,
      openDevice: o.openPort ?? (() => openSerialDevice(port, serial)),
      app: { linkPath: bridge.path, perm: bridge.perm, ...(bridge.group ? { group: bridge.group } : {}) },
      idleProbeMs: bridge.idleProbeSeconds * 1000,
      probeTimeoutMs: this.c.responseTimeoutMs,
      probeRetries: this.c.retries,
      responseTimeoutMs: this.c.responseTimeoutMs,
      ...(o.portUsers !== undefined ? { portUsers: o.portUsers } : serial.inUseCheck === 'lock' ? { portUsers: null } : {}),
      now: this.now,
    });
    this.bridge.on('exchange', (exchange) => {
      this.health.record(exchange);
      this.nextExchange?.resolve();
      this.nextExchange = undefined;
    });
    this.bridge.on('device', (state) => {
      if (state !== 'open') this.health.deviceLost();
    });
  }

  start(): Promise<void> {
    return this.bridge.start();
  }

  async observe(waitMs = 0): Promise<ReaderObservation> {
    const opened = (state: string) => state === 'open' || state === 'opening';
    if (waitMs > 0 && opened(this.bridge.snapshot().device.state) && !this.health.view(this.now()).observedSinceFound && this.c.bridge.idleProbeSeconds > 0) {
      await settledWithin(this.exchangeSeen(), waitMs);
    }
    const snap = this.bridge.snapshot();
    const now = this.now();
    const health = this.health.view(now);
    const o = snap.observer;
    const presence = presenceOf(snap.device.state, snap.device.detail, snap.devicePath);
    return {
      presence,
      ...(presence.kind === 'present' || presence.kind === 'in_use' ? { watch: this.watch(presence, health, snap.linkPath, now) } : {}),
      health,
      cardInsertions: health.cardInsertions,
      evidence: {
        port: snap.devicePath,
        ptyPath: snap.linkPath,
        deviceState: snap.device.state,
        appTimeouts: o.timeouts,
        checksumErrors: o.checksumErrors,
        framingErrors: o.framingErrors,
        naks: o.naks,
        errorStatus: o.errorStatus,
        droppedFromApp: snap.traffic.droppedFromApp,
        probes: snap.probes.count,
        appLatencyP50Ms: snap.latency.app.p50Ms,
        appLatencyP99Ms: snap.latency.app.p99Ms,
        reopens: Math.max(0, snap.device.opens - 1),
      },
    };
  }

  close(): Promise<void> {
    this.nextExchange?.resolve();
    return this.bridge.close();
  }

  private exchangeSeen(): Promise<void> {
    if (!this.nextExchange) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.nextExchange = { promise, resolve };
    }
    return this.nextExchange.promise;
  }

  private watch(presence: Presence, health: HealthView, linkPath: string, now: number): Watch {
    const unseenMs = now - (health.lastObservedAtMs ?? this.watchingSince);
    if (presence.kind === 'in_use') {
      return {
        kind: 'not_observed',
        forMs: unseenMs,
        why: {
          zh: `结算软件仍在使用真实端口（${presence.by}），请将其读卡器端口改为桥接端口 ${linkPath}`,
          en: `the settlement software still uses the real port (${presence.by}); point it at the bridge's ${linkPath}`,
        },
      };
    }
    if (health.observedSinceFound && health.lastObservedAtMs !== null) return { kind: 'observed', agoMs: now - health.lastObservedAtMs };
    if (this.c.bridge.idleProbeSeconds > 0) return { kind: 'pending', forMs: unseenMs };
    return {
      kind: 'not_observed',
      forMs: unseenMs,
      why: {
        zh: '端口打开后尚无通信，且桥接自身探测已关闭（bridge.idleProbeSeconds 为 0）',
        en: 'no exchange since the port opened, and the bridge\'s own probes are off (bridge.idleProbeSeconds 0)',
      },
    };
  }
}

function presenceOf(state: DeviceState, detail: string | null, port: string): Presence {
  const why = detail ?? state;
  switch (state) {
    case 'open':
    case 'opening':
      return { kind: 'present' };
    case 'busy':
      // The settlement software still opens the real port: it has not been pointed at the bridge yet.
      return { kind: 'in_use', by: why.replace(/^in use by /, '') };
    case 'missing':
    case 'closed':
      return { kind: 'absent', detail: { zh: `读卡器端口 ${port} 已断开（${why}）`, en: `reader port ${port} is gone (${why})` } };
    default:
      return { kind: 'port_error', detail: { zh: `无法打开读卡器端口 ${port}：${why}`, en: `cannot open reader port ${port}: ${why}` } };
  }
}
