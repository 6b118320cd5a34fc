import type { Probe, ProbeContext } from '../../core/checks/plugin.js';
import { getReaderProfile, type ReaderProfile } from '../../../firmware-bridge/profiles/index.js';
import { stopwatch } from '../shared/result.js';
import { CardLog } from './card-log.js';
import type { ReaderMonitor } from './monitors/types.js';
import { readerResults } from './observation.js';
import { modeProblems, resolveReaderConfig, type ReaderConfig, type ResolvedReaderConfig } from './schema.js';

/**
 * How long into a run a reader with no verdict yet may be waited for (its first probe under way), counted from the
 * run's start. Small, because the first run shares its timeout (0.8 s by default) with the isolated child's start-up:
 * the scheduler re-arms the timeout only if the child is still starting when it fires, so a child ready after 0.5 s
 * leaves its first run 0.3 s. A one-shot `guardpost check` thus gets the verdict of a reader that answers (or fails)
 * within it; a slower one is `pending` — not ok — until its probe ends: (retries + 1) × responseTimeoutMs when silent.
 */
export const PENDING_WAIT_MS = 250;

/**
 * One reader per check instance. The monitor for the mode is loaded on the first run, not when the plugin module is
 * imported: serialport and pcsclite load native code, which belongs in the isolated child process only.
 */
export function createReaderProbe(config: ReaderConfig, ctx: ProbeContext): Probe {
  const c = resolveReaderConfig(config);
  const problems = modeProblems(c);
  if (problems.length > 0) throw new Error(`reader check "${ctx.checkId}": ${problems.map((p) => `${p.path.slice(1)}: ${p.message}`).join('; ')}`);
  const profile = c.mode === 'serial-probe' || c.mode === 'serial-bridge' ? getReaderProfile(c.profile) : undefined;
  const subject = c.name || defaultSubject(c);
  const cards = new CardLog(ctx.state);
  let monitor: Promise<ReaderMonitor> | undefined;

  return {
    async run() {
      const started = performance.now();
      const done = stopwatch(ctx.now);
      monitor ??= startMonitor(c, profile).catch((error: unknown) => {
        monitor = undefined; // e.g. the bridge's pty directory is not writable: try again next run
        throw error;
      });
      const m = await monitor;
      const observation = await m.observe(Math.max(0, PENDING_WAIT_MS - (performance.now() - started)));
      const readsToday = cards.update(observation.cardInsertions, ctx.now());
      return readerResults(observation, c, subject, readsToday, done);
    },
    async close() {
      const m = await monitor?.catch(() => undefined);
      await m?.close();
    },
  };
}

async function startMonitor(c: ResolvedReaderConfig, profile: ReaderProfile | undefined): Promise<ReaderMonitor> {
  let monitor: ReaderMonitor;
  switch (c.mode) {
    case 'serial-probe': {
      const { SerialProbeMonitor } = await import('./monitors/serial-probe-monitor.js');
      monitor = new SerialProbeMonitor({ config: c, profile: profile! });
      break;
    }
    case 'serial-bridge': {
      const { SerialBridgeMonitor } = await import('./monitors/serial-bridge-monitor.js');
      monitor = new SerialBridgeMonitor({ config: c, profile: profile! });
      break;
    }
    case 'pcsc': {
      const { PcscReaderMonitor } = await import('./monitors/pcsc-reader-monitor.js');
      monitor = new PcscReaderMonitor(c);
      break;
    }
    case 'usb': {
      const { UsbReaderMonitor } = await import('./monitors/usb-monitor.js');
      monitor = new UsbReaderMonitor(c);
      break;
    }
  }
  await monitor.start();
  return monitor;
}

function defaultSubject(c: ResolvedReaderConfig): string {
  switch (c.mode) {
    case 'pcsc':
      return c.pcsc.readerName || 'PC/SC';
    case 'usb':
      return `usb ${c.usb.ids.join(',')}`;
    default:
      return c.port;
  }
}
