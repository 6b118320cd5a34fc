import { PcscMonitor, type PcscReaderView } from '../../../../firmware-bridge/pcsc/pcsc-monitor.js';
import type { ReaderObservation } from '../observation.js';
import type { ResolvedReaderConfig } from '../schema.js';
import type { ReaderMonitor } from './types.js';

/**
 * pcsc: follows the PC/SC service and the configured reader, event-driven (see PcscMonitor): reader present,
 * card in or out with its ATR. Never connects to the card. A stopped service is PCSC_SERVICE_DOWN, and the monitor
 * reconnects by itself when it is back.
 */
export class PcscReaderMonitor implements ReaderMonitor {
  private readonly monitor: PcscMonitor;
  private readonly pattern: string;
  /** Insertions of readers seen before (a reader rediscovered after a service restart starts counting at 0). */
  private carried = 0;
  private lastSeen: { name: string; insertions: number } | undefined;

  constructor(private readonly c: ResolvedReaderConfig) {
    this.monitor = new PcscMonitor({ retryMs: c.pcsc.retrySeconds * 1000 });
    this.pattern = c.pcsc.readerName.toLowerCase();
  }

  start(): Promise<void> {
    return this.monitor.start();
  }

  async observe(): Promise<ReaderObservation> {
    const snap = this.monitor.snapshot();
    const evidence = { service: snap.service, readers: snap.readers.length, serviceRecoveries: snap.serviceRecoveries };
    if (snap.service !== 'up') {
      const why = snap.serviceError ?? 'starting';
      return {
        presence: { kind: 'service_down', detail: { zh: `智能卡服务不可用：${why}`, en: `the smart card service is not available: ${why}` } },
        cardInsertions: this.insertions(undefined),
        evidence,
      };
    }
    const reader = snap.readers.find((r) => r.name.toLowerCase().includes(this.pattern));
    if (!reader) {
      const names = snap.readers.map((r) => r.name).join(', ') || '—';
      const wanted = this.c.pcsc.readerName || 'any';
      return {
        presence: { kind: 'absent', detail: { zh: `未找到读卡器 "${wanted}"（当前读卡器：${names}）`, en: `no PC/SC reader matches "${wanted}" (readers: ${names})` } },
        cardInsertions: this.insertions(undefined),
        evidence,
      };
    }
    return {
      presence: { kind: 'present' },
      card: { present: reader.cardPresent, atr: reader.atr },
      cardInsertions: this.insertions(reader),
      evidence: { ...evidence, readerName: reader.name, readerState: reader.flags.join('|') || 'EMPTY', cardMute: reader.flags.includes('MUTE') },
    };
  }

  close(): Promise<void> {
    return this.monitor.close();
  }

  /** A monotonic insertion count across reader rediscoveries. */
  private insertions(reader: PcscReaderView | undefined): number {
    const last = this.lastSeen;
    if (reader && last && (reader.name !== last.name || reader.insertions < last.insertions)) this.carried += last.insertions;
    if (!reader && last) {
      this.carried += last.insertions;
      this.lastSeen = undefined;
    }
    if (reader) this.lastSeen = { name: reader.name, insertions: reader.insertions };
    return this.carried + (reader?.insertions ?? 0);
  }
}
