import type { CheckPlugin, ConfigProfile } from '../checks/plugin.js';
import type { HostPlatform } from '../../platform/types.js';
import { Type } from '../schema/type.js';
import { AssistSchema, DeskSchema, LoggingSchema, StorageSchema, WebSchema, commonCheckProperties } from './schema.js';
import { schemaDefaults } from './schema-defaults.js';

/**
 * A complete, valid example configuration showing every option, for `guardpost config example`. It validates as
 * printed on a fresh machine, so it names no secret (an unset environment variable would be an error); the optional
 * secrets are listed in docs/config.md. Defaults are read from the schema, never repeated here.
 * Checks come from each plugin's own example, so a new plugin shows up here without touching the core.
 */
export function exampleConfig(plugins: CheckPlugin[], platform: HostPlatform, profile: ConfigProfile): Record<string, unknown> {
  const paths = platform.paths();
  const checks: Record<string, unknown> = {};
  for (const p of plugins) {
    const framework = schemaDefaults(Type.Object(commonCheckProperties(p)));
    for (const [id, cfg] of Object.entries(p.example(profile))) {
      checks[id] = { ...(id !== p.type ? { type: p.type } : {}), ...framework, ...(cfg as object) };
    }
  }
  const desk = schemaDefaults(DeskSchema);
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
      enabled: desk.enabled,
      url: 'wss://desk.example.com:8443/agent',
      caFile: '/etc/guardpost/desk-ca.pem',
      pins: [],
      certFile: '/etc/guardpost/agent.crt',
      keyFile: '/etc/guardpost/agent.key',
      proxy: { url: 'http://10.0.0.1:3128' },
      unreachable: desk.unreachable,
    },
    web: schemaDefaults(WebSchema),
    logging: { ...schemaDefaults(LoggingSchema), file: paths.logFile, stdout: false },
    storage: { dir: paths.stateDir, ...schemaDefaults(StorageSchema) },
    // No window in the example: a copied example must never pre-approve sessions once assistance is switched on.
    assist: schemaDefaults(AssistSchema),
  };
}
