/**
 * Keys whose values never reach a log line, wherever they appear up to REDACT_DEPTH levels deep
 * (pino redact paths have no "any depth" wildcard, so each depth is listed).
 * Secret objects need no entry: they serialise as "[redacted]" by themselves.
 */
export const REDACTED_KEYS = [
  'pin',
  'password',
  'passphrase',
  'secret',
  'token',
  'accessToken',
  'refreshToken',
  'enrollmentCode',
  'accessKey',
  'secretKey',
  'sign_no',
  'authorization',
  'Authorization',
  'proxyAuthorization',
  'proxy-authorization',
  'Proxy-Authorization',
  'cookie',
] as const;

/** Nesting levels covered: 0 = top-level field of the log call, 4 = four objects (or arrays) deep. */
export const REDACT_DEPTH = 4;

export const REDACT_CENSOR = '[redacted]';

/** pino `redact.paths` for REDACTED_KEYS at every depth 0…REDACT_DEPTH. */
export function redactPaths(keys: readonly string[] = REDACTED_KEYS, depth = REDACT_DEPTH): string[] {
  const paths: string[] = [];
  for (const key of keys) {
    const plain = /^[A-Za-z_$][\w$]*$/.test(key);
    for (let level = 0; level <= depth; level++) {
      const prefix = '*.'.repeat(level);
      if (plain) paths.push(`${prefix}${key}`);
      else paths.push(level === 0 ? `["${key}"]` : `${prefix.slice(0, -1)}["${key}"]`);
    }
  }
  return paths;
}
