import type { ConfigProfile } from '../../core/checks/plugin.js';
import { ENDPOINT_DEFAULTS, PROXY_DEFAULTS, TRUST_DEFAULTS } from '../shared/endpoint/schema.js';
import type { CertserverConfig } from './schema.js';

type ServiceEndpoint = CertserverConfig['service'];

/** A service endpoint with every setting spelled out. */
function full(e: Partial<ServiceEndpoint> & { name: string }): ServiceEndpoint {
  const { checkCertificates: _c, clockReference: _r, ...defaults } = ENDPOINT_DEFAULTS;
  return structuredClone({ ...defaults, trust: TRUST_DEFAULTS, ...e });
}

/**
 * The authentication server watched on itself (profile certserver) or from a terminal that depends on it: the
 * service's health URL, and its two functions the hospital's systems use, each with the answer it must give.
 */
export function certserverExample(profile: ConfigProfile): Record<string, CertserverConfig & { type?: string }> {
  const local = profile === 'certserver';
  const base = local ? 'https://127.0.0.1:8443' : 'https://ca-auth.hospital.example:8443';
  const trust = { ...TRUST_DEFAULTS, mode: 'caFile' as const, caFile: local ? '/etc/guardpost/auth-server-ca.pem' : 'C:\\Guardpost\\auth-server-ca.pem' };
  return {
    certserver: {
      type: 'certserver',
      service: full({ name: 'auth-service', url: `${base}/health`, expectStatus: [200], trust, slowSeconds: 2 }),
      functions: [
        full({
          name: 'cert-validation',
          url: `${base}/api/cert/validate`,
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: '{"cert":"<base64 of a test certificate>"}',
          expectStatus: [200],
          bodyMatch: '"result"\\s*:\\s*"?0',
          trust,
          slowSeconds: 2,
        }),
        full({
          name: 'signature-verification',
          url: `${base}/api/sign/verify`,
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: '{"data":"Z3VhcmRwb3N0","signature":"<base64 of a test signature>","cert":"<base64 of the signing certificate>"}',
          expectStatus: [200],
          bodyMatch: '"result"\\s*:\\s*"?0',
          bodyNotMatch: 'error|失败',
          trust,
          slowSeconds: 2,
        }),
      ],
      proxy: { ...PROXY_DEFAULTS, mode: 'none', noProxy: [] },
    },
  };
}
