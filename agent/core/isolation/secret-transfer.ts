import { Secret, isSecret } from '../config/secret.js';

/**
 * Secrets in a check's config (e.g. a PKCS#11 PIN) must reach the isolated child, but IPC serialises with JSON,
 * where Secret deliberately prints "[redacted]". So the init message carries them as tagged plain objects over the
 * private parent-child pipe, and the child turns them back into Secret. Never log an encoded config.
 */
const TAG = '__guardpostSecret';

interface EncodedSecret {
  [TAG]: true;
  value: string;
  source: string;
}

export function encodeSecrets(value: unknown): unknown {
  if (isSecret(value)) return { [TAG]: true, value: value.reveal(), source: value.source } satisfies EncodedSecret;
  if (Array.isArray(value)) return value.map(encodeSecrets);
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encodeSecrets(v)]));
  }
  return value;
}

export function decodeSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeSecrets);
  if (isPlainObject(value)) {
    if (isEncodedSecret(value)) return new Secret(value.value, value.source);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decodeSecrets(v)]));
  }
  return value;
}

function isEncodedSecret(value: Record<string, unknown>): value is Record<string, unknown> & EncodedSecret {
  return value[TAG] === true && typeof value.value === 'string' && typeof value.source === 'string';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
