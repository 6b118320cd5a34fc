import { redactUrlCredentials } from '../../../core/config/redact.js';
import { isSecret } from '../../../core/config/secret.js';
import type { GuardpostConfig } from '../../../core/config/types.js';
import { MASK } from './redact.js';

/**
 * Narrower than the log redactor's test: secrets in the config are Secret objects (the schema allows no inline
 * value), so this is a second guard and must not hide settings such as a token check's `tokenLabel`.
 */
const looksSecret = (k: string) => /^(password|passwd|pwd|pin|token|secret|passphrase|key)$/i.test(k) || /(Password|Passwd|Secret|Passphrase)$/.test(k);

export interface ConfigView {
  config: unknown;
  /** Where each secret is set and where its value comes from (env NAME or file PATH): described, never shown. */
  secrets: { path: string; source: string }[];
}

/**
 * The running configuration for a support bundle. A resolved secret becomes a description of where it comes from,
 * as the loader describes secrets; URL user info is hidden; a plain value under a secret-looking key is masked too.
 * Checks appear with their settings, not their plugin objects.
 */
export function configView(config: GuardpostConfig): ConfigView {
  const secrets: ConfigView['secrets'] = [];
  const walk = (v: unknown, path: string, key: string): unknown => {
    if (isSecret(v)) {
      secrets.push({ path, source: v.source });
      return `[secret from ${v.source}; not shown]`;
    }
    if (typeof v === 'string') return looksSecret(key) ? MASK : redactUrlCredentials(v);
    if (typeof v === 'number' || typeof v === 'boolean' || v === null) return looksSecret(key) && v !== null ? MASK : v;
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${path}[${i}]`, key));
    if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, path ? `${path}.${k}` : k, k)]));
    }
    return v === undefined || typeof v === 'function' ? undefined : redactUrlCredentials(String(v));
  };
  const plain = {
    ...config,
    checks: config.checks.map((c) => ({
      id: c.id,
      type: c.type,
      enabled: c.enabled,
      intervalSeconds: c.intervalSeconds,
      timeoutSeconds: c.timeoutSeconds,
      raiseAfter: c.raiseAfter,
      clearAfter: c.clearAfter,
      settings: c.settings,
    })),
  };
  return { config: walk(plain, '', ''), secrets };
}
