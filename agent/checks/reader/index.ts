import type { CheckPlugin } from '../../core/checks/plugin.js';
import { faults, inhibitRules, reasons, rules } from './faults.js';
import { createReaderProbe } from './probe.js';
import { hostProblems, modeProblems, READER_DEFAULTS, readerSchema, resolveReaderConfig, type ReaderConfig } from './schema.js';

const D = READER_DEFAULTS;
/** Every option spelled out, as `guardpost config example` shows it. */
const full = (own: Partial<ReaderConfig> & Pick<ReaderConfig, 'mode'>): ReaderConfig & { type: string } => ({
  type: 'reader',
  name: D.name,
  profile: D.profile,
  port: D.port,
  serial: { ...D.serial },
  probeIntervalSeconds: D.probeIntervalSeconds,
  responseTimeoutMs: D.responseTimeoutMs,
  retries: D.retries,
  noResponseAfter: D.noResponseAfter,
  notObservedAfterSeconds: D.notObservedAfterSeconds,
  allowedFirmware: [],
  linkErrors: { ...D.linkErrors },
  bridge: { ...D.bridge },
  pcsc: { ...D.pcsc },
  usb: { ids: [], sysfsRoot: D.usb.sysfsRoot },
  ...own,
});

/** Card readers: serial (probe or bridge), PC/SC, or USB presence. One check instance per reader. */
export const plugin: CheckPlugin<ReaderConfig> = {
  type: 'reader',
  moduleUrl: import.meta.url,
  title: { zh: '读卡器', en: 'Card readers' },
  configSchema: readerSchema,
  // Unplug must show within 2 s: a run only reads the event-driven monitor's state (tens of µs, bench/reader), so a
  // run every second costs little. The timeout counts from when the isolated child is ready, not from its start.
  defaults: { intervalSeconds: 1, timeoutSeconds: 0.8, raiseAfter: 1, clearAfter: 1 },
  // serialport and pcsclite are native; a vendor USB-serial driver can hang a read in the kernel.
  isolated: true,
  reasons,
  faults,
  rules,
  inhibitRules,
  example(profile): Record<string, ReaderConfig & { type?: string }> {
    if (profile === 'certserver') return { 'reader-ukey-slot': full({ mode: 'pcsc', name: 'USBKey 读卡口', pcsc: { readerName: '', retrySeconds: 1 } }) };
    return {
      'reader-counter1': full({
        mode: 'serial-bridge',
        name: '1号窗口读卡器',
        port: '/dev/serial/by-id/usb-Decard_D8-if00-port0',
        allowedFirmware: ['D8-V3.20'],
      }),
      'reader-ccid': full({ mode: 'pcsc', name: '社保卡读卡器', pcsc: { readerName: 'Decard', retrySeconds: 1 } }),
      'reader-hid': full({ mode: 'usb', name: '德卡读卡器（厂商动态库）', usb: { ids: ['257b:3031'], sysfsRoot: '/sys' } }),
    };
  },
  createProbe: createReaderProbe,
  validate: (config) => {
    const c = resolveReaderConfig(config);
    return [...modeProblems(c), ...hostProblems(c)];
  },
};
