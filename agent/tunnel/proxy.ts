import { isIP } from 'node:net';
import type { DeskConfig } from '../core/config/schema.js';
import type { Secret } from '../core/config/secret.js';

/** The HTTP CONNECT proxy to go through, and where that choice came from (shown in logs, never the password). */
export interface ProxyChoice {
  host: string;
  port: number;
  username?: string;
  password?: string;
  source: string;
}

/**
 * Which proxy (if any) reaches the desk: desk.proxy from the config wins; otherwise HTTPS_PROXY (or https_proxy,
 * then ALL_PROXY) unless NO_PROXY (or no_proxy) names the desk host. Credentials may be in the env URL
 * (http://user:pass@host:port). Only http:// proxies are supported: the TLS session to the desk runs inside.
 */
export function chooseProxy(target: URL, desk: DeskConfig, env: NodeJS.ProcessEnv): ProxyChoice | null {
  if (desk.proxy) {
    const u = new URL(desk.proxy.url);
    const password = desk.proxy.password as unknown as Secret | undefined;
    return {
      host: stripBrackets(u.hostname),
      port: Number(u.port || 80),
      ...(desk.proxy.username ? { username: desk.proxy.username } : {}),
      ...(password ? { password: password.reveal() } : {}),
      source: 'config desk.proxy',
    };
  }
  const name = ['HTTPS_PROXY', 'https_proxy', 'ALL_PROXY', 'all_proxy'].find((n) => env[n]);
  if (!name) return null;
  const port = Number(target.port || 443);
  if (bypassed(stripBrackets(target.hostname), port, env.NO_PROXY ?? env.no_proxy ?? '')) return null;
  const raw = env[name]!;
  let u: URL;
  try {
    u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
  } catch {
    throw new Error(`${name}="${redactUrl(raw)}" is not a URL`);
  }
  if (u.protocol !== 'http:') throw new Error(`${name} uses ${u.protocol}//; only http:// CONNECT proxies are supported`);
  return {
    host: stripBrackets(u.hostname),
    port: Number(u.port || 80),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    source: `env ${name}`,
  };
}

/** curl's NO_PROXY rules: "*" for all; "example.com" or ".example.com" for the domain and its subdomains; optional :port. */
export function bypassed(host: string, port: number, noProxy: string): boolean {
  const h = host.toLowerCase();
  for (let entry of noProxy.split(/[\s,]+/).filter(Boolean)) {
    entry = entry.toLowerCase();
    if (entry === '*') return true;
    let entryPort: number | undefined;
    const m = /^(.*):(\d+)$/.exec(entry);
    if (m && !isIP(entry)) {
      entry = m[1]!;
      entryPort = Number(m[2]);
    }
    entry = stripBrackets(entry).replace(/^\*?\./, '');
    if (entryPort !== undefined && entryPort !== port) continue;
    if (h === entry || (!isIP(h) && h.endsWith(`.${entry}`))) return true;
  }
  return false;
}

function stripBrackets(h: string): string {
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}

export function redactUrl(raw: string): string {
  return raw.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}
