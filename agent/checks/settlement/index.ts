import { CERT_REASONS } from '../../certs/index.js';
import type { CheckPlugin } from '../../core/checks/plugin.js';
import { CLOCK_SKEW_REASON } from '../../core/faults/clock-skew.js';
import { faults, inhibitRules, reasons, rules } from './faults.js';
import { settlementExample } from './example.js';
import { createSettlementProbe } from './probe.js';
import { settlementSchema, type SettlementConfig } from './schema.js';

/** Reaching the medical-insurance settlement platform: DNS, TCP, TLS and HTTP probes with per-phase timings. */
export const plugin: CheckPlugin<SettlementConfig> = {
  type: 'settlement',
  moduleUrl: import.meta.url,
  title: { zh: '医保平台连通性', en: 'Settlement platform connectivity' },
  configSchema: settlementSchema,
  // Every minute: an outage means a queue at the till. The probes time out on their own (10 s per endpoint by
  // default), so a failed run is a fact and opens a fault at once; slowness has its own count (slowAfter).
  defaults: { intervalSeconds: 60, timeoutSeconds: 30, raiseAfter: 1, clearAfter: 2 },
  // The closed list: its own reasons, clock skew from the platform's Date header, and the certificate engine's
  // reasons for the server chains (their faults are catalogued by the clock and cert checks).
  reasons: { ...reasons, ...CLOCK_SKEW_REASON, ...CERT_REASONS },
  faults,
  rules,
  inhibitRules,
  example: settlementExample,
  createProbe: createSettlementProbe,
};
