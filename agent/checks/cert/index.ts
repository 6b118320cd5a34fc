import { POLICY_DEFAULTS } from '../../certs/index.js';
import type { CheckPlugin, ConfigProfile } from '../../core/checks/plugin.js';
import { faults, reasons, rules } from './faults.js';
import { CERT_DEFAULTS, certSchema, type CertConfig } from './schema.js';
import { lazyProbe } from '../shared/lazy-probe.js';

/** Certificate files (PEM, DER, bundles, PKCS#12): expiry, chain, revocation and weak algorithms, via agent/certs. */
export const plugin: CheckPlugin<CertConfig> = {
  type: 'cert',
  moduleUrl: import.meta.url,
  title: { zh: '证书文件', en: 'Certificate files' },
  configSchema: certSchema,
  // Certificates change a few times a year: hourly is plenty. The timeout leaves room for CRL downloads and OCSP.
  defaults: { intervalSeconds: 3600, timeoutSeconds: 120, raiseAfter: 1, clearAfter: 1 },
  reasons,
  faults,
  rules,
  example(profile: ConfigProfile): Record<string, CertConfig & { type?: string }> {
    const policy = structuredClone(POLICY_DEFAULTS);
    const common = { maxFiles: CERT_DEFAULTS.maxFiles, maxDepth: CERT_DEFAULTS.maxDepth, maxFileBytes: CERT_DEFAULTS.maxFileBytes };
    if (profile === 'certserver') {
      return {
        'cert-gdca': {
          type: 'cert',
          files: ['/etc/gdca/certs/*.pem', '/etc/gdca/certs/*.cer'],
          // A PKCS#12 entry names its password by secret reference, e.g.
          // { path: '/etc/gdca/server.pfx', password: { env: 'GUARDPOST_GDCA_PFX_PASSWORD' } } (see the README);
          // none here, so the example validates without that variable set.
          pkcs12: [],
          ...common,
          policy: {
            ...policy,
            anchors: ['/etc/gdca/trust/gdca-root.pem'],
            intermediates: ['/etc/gdca/trust/gdca-intermediates.pem'],
            revocation: { ...policy.revocation, crl: { ...policy.revocation.crl, urls: ['http://crl.example.gdca/sm2.crl'] } },
          },
        },
      };
    }
    return {
      'cert-files': {
        type: 'cert',
        files: ['C:\\Guardpost\\certs\\*.cer'],
        pkcs12: [],
        ...common,
        policy: { ...policy, anchors: ['C:\\Guardpost\\trust\\ca-root.pem'] },
      },
    };
  },
  createProbe: lazyProbe(async () => (await import('./probe.js')).createCertProbe),
};
