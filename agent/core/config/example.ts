import type { CheckPlugin, ConfigProfile } from '../checks/plugin.js';
import type { HostPlatform } from '../../platform/types.js';

/**
 * A complete, valid example configuration showing every option, for `guardpost config example`.
 * Checks come from each plugin's own example, so a new plugin shows up here without touching the core.
 */
export function exampleConfig(plugins: CheckPlugin[], platform: HostPlatform, profile: ConfigProfile): Record<string, unknown> {
  const paths = platform.paths();
  const checks: Record<string, unknown> = {};
  for (const p of plugins) {
    for (const [id, cfg] of Object.entries(p.example(profile))) {
      checks[id] = {
        ...(id !== p.type ? { type: p.type } : {}),
        enabled: true,
        intervalSeconds: p.defaults.intervalSeconds,
        timeoutSeconds: p.defaults.timeoutSeconds,
        jitterPercent: 10,
        raiseAfter: p.defaults.raiseAfter,
        clearAfter: p.defaults.clearAfter,
        ...(cfg as object),
      };
    }
  }
  return {
    site: {
      fixmedins_code: profile === 'certserver' ? 'H44010600001' : 'P44010600123',
      fixmedins_name: profile === 'certserver' ? '示例医院安全认证服务器' : '示例大药房（天河店）',
      mdtrtarea_admvs: '440106',
      terminalId: profile === 'certserver' ? 'CA-SRV-01' : 'POS-01',
    },
    agent: { profile },
    checks,
    inhibitRules: [],
    desk: {
      enabled: false,
      url: 'wss://desk.example.com:8443/agent',
      caFile: '/etc/guardpost/desk-ca.pem',
      pins: [],
      certFile: '/etc/guardpost/agent.crt',
      keyFile: '/etc/guardpost/agent.key',
      keyPassphrase: { env: 'GUARDPOST_AGENT_KEY_PASSPHRASE' },
      proxy: { url: 'http://10.0.0.1:3128', username: 'guardpost', password: { env: 'GUARDPOST_PROXY_PASSWORD' } },
      unreachable: { minorAfterMinutes: 10, majorAfterMinutes: 240 },
    },
    web: { enabled: true, host: '127.0.0.1', port: 8620 },
    logging: { level: 'info', file: paths.logFile, maxSizeMB: 10, maxFiles: 5, stdout: false },
    storage: {
      dir: paths.stateDir,
      outbox: { maxEvents: 10000, maxBytes: 8388608 },
      history: { resultsPerCheck: 50, failuresPerCheck: 20 },
    },
  };
}
