import { CERT_REASONS, resolveCertificatePolicy, type CertificatePolicy } from '../../certs/index.js';
import type { CheckPlugin, ConfigProfile } from '../../core/checks/plugin.js';
import { faults, frameworkFaults, reasons, rules } from './faults.js';
import { SIGN_TEST_DEFAULTS, TOKEN_DEFAULTS, tokenSchema, type TokenConfig } from './schema.js';
import { lazyProbe } from '../shared/lazy-probe.js';
import { resolveTokens, tokenProblems } from './settings.js';

/**
 * PKCS#11 tokens: USBKeys at the tills, HSMs on the certificate server. Presence, PIN retry flags and the
 * certificates on the token, read without logging in; an opt-in sign test for HSMs. Vendor modules run isolated.
 */
export const plugin: CheckPlugin<TokenConfig> = {
  type: 'token',
  moduleUrl: import.meta.url,
  title: { zh: 'USBKey 与密码设备', en: 'USB keys and HSM tokens' },
  configSchema: tokenSchema,
  // A pulled key must show within one interval (5 s); the vendor module is re-initialised every run, which is cheap
  // (bench/token: a few ms per cycle). The timeout leaves a hung module 4 s before its process is killed.
  defaults: { intervalSeconds: 5, timeoutSeconds: 4, raiseAfter: 1, clearAfter: 1 },
  isolated: true,
  frameworkFaults,
  // Its own reasons and the certificate engine's, for the certificates read from the token: the closed list.
  reasons: { ...reasons, ...CERT_REASONS },
  faults,
  rules,
  example(profile: ConfigProfile): Record<string, TokenConfig & { type?: string }> {
    const common = { ...TOKEN_DEFAULTS, certificates: fullPolicy(), signTest: { ...SIGN_TEST_DEFAULTS } };
    if (profile === 'certserver') {
      return {
        hsm: { type: 'token', tokens: [{ ...common, module: '/opt/hsm/lib/libhsm_pkcs11.so', name: 'auth-hsm', label: 'GDCA-AUTH' }] },
      };
    }
    return { usbkey: { type: 'token', tokens: [{ ...common, module: '/usr/lib/libcastle.so.1.0.0', name: 'settlement-usbkey' }] } };
  },
  // The PKCS#11 code loads in the isolated child's first run; a bad config still throws here.
  createProbe: lazyProbe(async () => (await import('./probe.js')).createTokenProbe, (config) => void resolveTokens(config)),
  // What the probe would refuse at start is a config error instead, with path, line and column.
  validate: (config) => tokenProblems(config),
};

/** The certificate policy with every default spelled out, for the examples. (Cast: the engine's static type of
 * weak.hashes comes out as never[].) */
function fullPolicy(): CertificatePolicy {
  return structuredClone(resolveCertificatePolicy(undefined)) as unknown as CertificatePolicy;
}
