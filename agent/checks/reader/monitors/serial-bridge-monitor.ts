import type { Duplex } from 'node:stream';
import { SerialBridge, type DeviceState } from '../../../../firmware-bridge/bridge/serial-bridge.js';
import type { ReaderProfile } from '../../../../firmware-bridge/profiles/types.js';
import type { PortUser } from '../../../../firmware-bridge/serial/port-users.js';
import { openSerialDevice } from '../../../../firmware-bridge/serial/serial-tty.js';
import type { Presence, ReaderObservation } from '../observation.js';
import { ReaderHealth } from '../reader-health.js';
import type { ResolvedReaderConfig } from '../schema.js';
import type { ReaderMonitor } from './types.js';

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
 */
export class SerialBridgeMonitor implements ReaderMonitor {
  private readonly c: ResolvedReaderConfig;
  private readonly health: ReaderHealth;
  private readonly now: () => number;
  private readonly bridge: SerialBridge;

  constructor(o: SerialBridgeMonitorOptions) {
    this.c = o.config;
    this.now = o.now ?? (() => performance.now());
    this.health = new ReaderHealth(this.c.linkErrors.windowSeconds * 1000, this.c.noResponseAfter);
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
    this.bridge.on('exchange', (exchange) => this.health.record(exchange));
    this.bridge.on('device', (state) => {
      if (state !== 'open') this.health.deviceLost();
    });
  }

  start(): Promise<void> {
    return this.bridge.start();
  }

  async observe(): Promise<ReaderObservation> {
    const snap = this.bridge.snapshot();
    const health = this.health.view(this.now());
    const o = snap.observer;
    return {
      presence: presenceOf(snap.device.state, snap.device.detail, snap.devicePath),
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
    return this.bridge.close();
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
