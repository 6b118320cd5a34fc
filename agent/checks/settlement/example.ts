import type { ConfigProfile } from '../../core/checks/plugin.js';
import { POLICY_DEFAULTS } from '../../certs/index.js';
import { ENDPOINT_DEFAULTS, PROXY_DEFAULTS, TRUST_DEFAULTS, type EndpointConfig } from '../shared/endpoint/schema.js';
import { SIGNIN_DEFAULTS, type SettlementConfig } from './schema.js';

/** An endpoint with every setting spelled out, as `guardpost config example` shows them. */
export function fullEndpoint(e: Partial<EndpointConfig> & { name: string }): EndpointConfig {
  return structuredClone({ ...ENDPOINT_DEFAULTS, trust: TRUST_DEFAULTS, ...e });
}

/** The certificate policy for server chains with every setting shown; the platform CA as the anchor. */
function certificatePolicyExample(): NonNullable<SettlementConfig['certificates']> {
  const p = structuredClone(POLICY_DEFAULTS);
  return { ...p, anchors: ['C:\\Guardpost\\platform-ca.pem'] } as unknown as NonNullable<SettlementConfig['certificates']>;
}

/** Example instances; every option shown (the registry test holds them to the schema's defaults). */
export function settlementExample(profile: ConfigProfile): Record<string, SettlementConfig & { type?: string }> {
  const base = {
    proxy: { ...PROXY_DEFAULTS, noProxy: [] },
    certificates: certificatePolicyExample(),
    signin: structuredClone({
      ...SIGNIN_DEFAULTS,
      // Off, and without secrets: a sign-in is a real business transaction (see the README to turn it on).
      url: 'http://10.44.0.10:8080/fsi/api/rsfComIfsService/callService',
    }),
  };
  if (profile === 'certserver') {
    return {
      'settlement-platform': {
        type: 'settlement',
        endpoints: [fullEndpoint({ name: 'platform', url: 'https://hsa.example.gov.cn/fsi/api/', trust: { ...TRUST_DEFAULTS, mode: 'caFile', caFile: '/etc/guardpost/platform-ca.pem' } })],
        ...base,
      },
    };
  }
  return {
    settlement: {
      type: 'settlement',
      endpoints: [
        fullEndpoint({ name: 'platform', url: 'http://10.44.0.10:8080/fsi/api/rsfComIfsService/callService', expectStatus: [] }),
        fullEndpoint({
          name: 'platform-https',
          url: 'https://hsa.example.gov.cn/fsi/api/',
          expectStatus: [200, 404],
          bodyNotMatch: '系统维护',
          trust: { ...TRUST_DEFAULTS, mode: 'caFile', caFile: 'C:\\Guardpost\\platform-ca.pem' },
        }),
        fullEndpoint({ name: 'front-end', kind: 'tcp', host: '192.168.10.20', port: 7001 }),
        fullEndpoint({ name: 'platform-dns', kind: 'dns', host: 'hsa.example.gov.cn' }),
      ],
      ...base,
    },
  };
}
