import type { CheckPlugin } from '../../core/checks/plugin.js';
import { faults, reasons, rules } from './faults.js';
import { createLogsProbe } from './probe.js';
import { logsSchema, LOGS_DEFAULTS, type LogsConfig } from './schema.js';

/** Error lines in the site's application logs since the last scan: the monthly inspection's "logs". */
export const plugin: CheckPlugin<LogsConfig> = {
  type: 'logs',
  moduleUrl: import.meta.url,
  title: { zh: '应用日志', en: 'Application logs' },
  configSchema: logsSchema,
  // Each scan counts new lines only, so one bad scan is a fault; three quiet scans (15 min) clear it.
  defaults: { intervalSeconds: 300, timeoutSeconds: 60, raiseAfter: 1, clearAfter: 3 },
  reasons,
  faults,
  rules,
  example(profile): Record<string, LogsConfig & { type?: string }> {
    const common = { ...LOGS_DEFAULTS, patterns: [...LOGS_DEFAULTS.patterns] };
    return profile === 'certserver'
      ? { 'logs-signserver': { type: 'logs', ...common, paths: ['/var/log/gdca/*.log'], patterns: ['\\bERROR\\b', '验签失败|签名失败'] } }
      : { 'logs-settlement': { type: 'logs', ...common, paths: ['D:\\YbClient\\log\\*.log'], encoding: 'gbk', patterns: ['错误|异常|失败', '\\bERROR\\b'] } };
  },
  createProbe: createLogsProbe,
};
