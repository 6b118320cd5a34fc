import { isIP } from 'node:net';

/** A forward target as written in the allowlist or a request: host (name or IP literal) and port. */
export interface ForwardTarget {
  host: string;
  port: number;
}

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/**
 * Parses `host:port` or `[v6]:port`. Returns a reason string when it does not parse: wildcards, ranges, the
 * unspecified address ("any interface") and schemes are refused, so an entry always names exactly one service.
 */
export function parseTarget(text: string): ForwardTarget | string {
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(text) ?? /^([^:[\]]+):(\d{1,5})$/.exec(text);
  if (!m) return 'expected host:port (IPv6 as [addr]:port)';
  const host = m[1]!.toLowerCase();
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return `port ${m[2]} is not 1..65535`;
  const ip = isIP(host);
  if (text.startsWith('[') && ip !== 6) return `"${host}" is not an IPv6 address`;
  if (!ip && !HOSTNAME.test(host)) return `"${host}" is not a host name or IP address (no wildcards)`;
  if (host === '0.0.0.0' || (ip === 6 && /^[0:]+$/.test(host))) {
    return 'the unspecified address means any interface; name the one address to forward to';
  }
  return { host, port };
}

/** The canonical spelling the policy compares: lower case, IPv6 in brackets. */
export function targetKey(t: ForwardTarget): string {
  return `${isIP(t.host) === 6 ? `[${t.host}]` : t.host}:${t.port}`;
}

/** Loopback as written: 127.0.0.0/8, ::1 and localhost. Hostnames are never resolved here (DNS must not widen the list). */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}
