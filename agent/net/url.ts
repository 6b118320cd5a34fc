import { isIP } from 'node:net';

/** A host without IPv6 brackets ("[::1]" → "::1"); names and IPv4 addresses unchanged. */
export function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** The host part of a URL without IPv6 brackets. */
export function urlHost(u: URL): string {
  return stripBrackets(u.hostname);
}

/** The URL's port, or its scheme's default (443 for https: and wss:, 80 otherwise). */
export function urlPort(u: URL): number {
  return Number(u.port || (u.protocol === 'https:' || u.protocol === 'wss:' ? 443 : 80));
}

/** A URL as evidence: no user info, no query (query strings may carry keys). */
export function displayUrl(u: URL): string {
  return `${u.protocol}//${u.host}${u.pathname}`;
}

/** host:port with an IPv6 address in brackets, as CONNECT lines, Host headers and evidence write it. */
export function hostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}
