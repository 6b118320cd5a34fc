import type { CheckPlugin } from '../../core/checks/plugin.js';
import { faults, reasons, rules } from './faults.js';
import { createProcessProbe } from './probe.js';
import { processSchema, type ProcessConfig } from './schema.js';

/** Required programs (settlement client, HIS, signing service) are running. */
export const plugin: CheckPlugin<ProcessConfig> = {
  type: 'process',
  moduleUrl: import.meta.url,
  title: { zh: '关键进程', en: 'Required processes' },
  configSchema: processSchema,
  // A client restart takes under a minute: two missed runs in a row (about 2 min) before a fault.
  defaults: { intervalSeconds: 60, timeoutSeconds: 20, raiseAfter: 2, clearAfter: 1 },
  reasons,
  faults,
  rules,
  example(profile): Record<string, ProcessConfig & { type?: string }> {
    return profile === 'certserver'
      ? {
          process: {
            type: 'process',
            processes: [
              { name: 'java .*(gdca|svs)', match: 'commandLine', minCount: 1, severity: 'critical', title: '签名验签服务' },
              { name: 'chronyd', match: 'name', minCount: 1, severity: 'minor', title: '时间同步服务' },
            ],
          },
        }
      : {
          process: {
            type: 'process',
            processes: [
              { name: 'SettlementClient.exe', match: 'name', minCount: 1, severity: 'critical', title: '医保结算客户端' },
              { name: 'HisClient.exe', match: 'name', minCount: 1, severity: 'major', title: 'HIS 客户端' },
            ],
          },
        };
  },
  createProbe: createProcessProbe,
};
