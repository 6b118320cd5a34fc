import type { CheckPlugin } from '../../core/checks/plugin.js';
import { faults, reasons, rules } from './faults.js';
import { createMemoryProbe } from './probe.js';
import { memorySchema, MEMORY_DEFAULTS, type MemoryConfig } from './schema.js';

/** Available memory, swap use and load per core. */
export const plugin: CheckPlugin<MemoryConfig> = {
  type: 'memory',
  moduleUrl: import.meta.url,
  title: { zh: '内存与负载', en: 'Memory and load' },
  configSchema: memorySchema,
  // Memory and load swing with every transaction: a fault needs five bad minutes in a row.
  defaults: { intervalSeconds: 60, timeoutSeconds: 10, raiseAfter: 5, clearAfter: 3 },
  reasons,
  faults,
  rules,
  example(profile): Record<string, MemoryConfig & { type?: string }> {
    // A certificate server has more memory and steadier load than a till PC; the terminal keeps the defaults.
    return profile === 'certserver'
      ? { memory: { type: 'memory', ...MEMORY_DEFAULTS, availableMajorMiB: 512, loadWindowMinutes: 15 } }
      : { memory: { type: 'memory', ...MEMORY_DEFAULTS } };
  },
  createProbe: createMemoryProbe,
};
