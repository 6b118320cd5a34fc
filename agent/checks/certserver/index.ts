import type { CheckPlugin } from '../../core/checks/plugin.js';
import { certserverExample } from './example.js';
import { faults, inhibitRules, reasons, rules } from './faults.js';
import { createCertserverProbe } from './probe.js';
import { certserverSchema, type CertserverConfig } from './schema.js';

/** The certificate-authentication server (GDCA-style 安全认证支撑系统): service up, functions working, fast enough. */
export const plugin: CheckPlugin<CertserverConfig> = {
  type: 'certserver',
  moduleUrl: import.meta.url,
  title: { zh: '安全认证服务', en: 'Certificate-authentication service' },
  configSchema: certserverSchema,
  // Every minute like the platform probes; a down service is a critical contract fault, so it opens at once.
  defaults: { intervalSeconds: 60, timeoutSeconds: 30, raiseAfter: 1, clearAfter: 2 },
  reasons,
  faults,
  rules,
  inhibitRules,
  example: certserverExample,
  createProbe: createCertserverProbe,
};
