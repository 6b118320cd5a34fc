import { PcscMonitor, type PcscSnapshot } from '../../firmware-bridge/pcsc/pcsc-monitor.js';

export interface PcscScan {
  service: 'up' | 'down';
  error: string | null;
  readers: { name: string; cardPresent: boolean }[];
}

/**
 * The PC/SC readers pcscd (or WinSCard) knows, from one status query: the same watch-only calls the reader check
 * makes, so a reader the settlement software uses is not connected to, and no card in it is read.
 */
export async function scanPcsc(options: { settleMs?: number } = {}): Promise<PcscScan> {
  const monitor = new PcscMonitor({ settleMs: options.settleMs ?? 300, retryMs: 60_000 });
  try {
    await monitor.start();
    const snap: PcscSnapshot = monitor.snapshot();
    return {
      service: snap.service === 'up' ? 'up' : 'down',
      error: snap.serviceError,
      readers: snap.readers.map((r) => ({ name: r.name, cardPresent: r.cardPresent })),
    };
  } catch (err) {
    // The binding itself missing (libpcsclite not installed) is the service being unavailable to us.
    return { service: 'down', error: (err as Error).message, readers: [] };
  } finally {
    await monitor.close();
  }
}
