import type { CheckPlugin } from '../../core/checks/plugin.js';
import { faults, reasons, rules } from './faults.js';
import { createClockProbe } from './probe.js';
import { clockSchema, CLOCK_DEFAULTS, type ClockConfig } from './schema.js';

/** Jumps of the system clock between runs. Never changes the clock. */
export const plugin: CheckPlugin<ClockConfig> = {
  type: 'clock',
  moduleUrl: import.meta.url,
  title: { zh: '系统时间跳变', en: 'System clock jumps' },
  configSchema: clockSchema,
  // Cheap: a minute between runs keeps the "from" time precise. The hold time, not raiseAfter, keeps a jump visible.
  defaults: { intervalSeconds: 60, timeoutSeconds: 5, raiseAfter: 1, clearAfter: 1 },
  reasons,
  faults,
  rules,
  example(): Record<string, ClockConfig & { type?: string }> {
    return { clock: { type: 'clock', ...CLOCK_DEFAULTS } };
  },
  createProbe: createClockProbe,
};
