import { redactUrlCredentials } from '../core/config/redact.js';
import type { Secret } from '../core/config/secret.js';
import { ProbeFailure } from './failure.js';
import { bypassesProxy } from './no-proxy.js';
import { stripBrackets } from './url.js';

/** Proxy settings with defaults filled and the password resolved by the config loader. */
export interface ProxySettings {
  /** env: the environment's variables; config: `url` and the credentials below; none: always direct. */
  mode: 'env' | 'config' | 'none';
  url: string;
  username: string;
  password: Secret | null;
  /** Hosts reached directly (NO_PROXY syntax, see no-proxy.ts); in env mode added to NO_PROXY / no_proxy. */
  noProxy: readonly string[];
}

/** Where to CONNECT through, and where that choice came from. */
export interface ProxyRoute {
  host: string;
  port: number;
  /** The proxy URL without credentials, for evidence and messages. */
  display: string;
  /** Where the proxy came from: "config", "config desk.proxy", "env HTTPS_PROXY", ... */
  source: string;
  username?: string;
  /** Not enumerable, so JSON, logs and evidence built from a route never carry it. */
  password?: string;
}

/** What is to be reached; `secure` for TLS inside the tunnel (https, tls and tcp probes, the desk). */
export interface ProxyTarget {
  host: string;
  port: number;
  secure: boolean;
}

// curl's variables: the scheme's own first, ALL_PROXY for any scheme without one.
const SECURE_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'ALL_PROXY', 'all_proxy'];
const PLAIN_VARIABLES = ['HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'];

/** A proxy URL with its user info replaced by ***, safe for messages (the config's redaction; the scheme may be left out). */
export function redactUrl(raw: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? redactUrlCredentials(raw) : redactUrlCredentials(`http://${raw}`).slice('http://'.length);
}

function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part; // a stray "%": take it as written
  }
}

function setCredentials(route: ProxyRoute, username: string, password: string): void {
  route.username = username;
  Object.defineProperty(route, 'password', { value: password, enumerable: false, configurable: true });
}

/**
 * The route for a proxy URL (http://[user:password@]host[:port], the scheme may be left out). User info is taken
 * only from the environment (`credentialsFromUrl`): a config URL carrying it is refused, as the config loader does.
 */
function parseProxyUrl(raw: string, source: string, credentialsFromUrl: boolean): ProxyRoute {
  let u: URL;
  try {
    u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
  } catch {
    throw new ProbeFailure('proxy_unreachable', { error: 'BAD_PROXY_URL', proxySource: source }, `${source}: "${redactUrl(raw)}" is not a URL`);
  }
  if (u.protocol !== 'http:') {
    throw new ProbeFailure(
      'proxy_unreachable',
      { error: 'UNSUPPORTED_PROXY_SCHEME', proxySource: source },
      `${source} uses ${u.protocol}//; only http:// CONNECT proxies are supported`,
    );
  }
  const route: ProxyRoute = { host: stripBrackets(u.hostname), port: Number(u.port || 80), display: `http://${u.host}`, source };
  if (!u.username && !u.password) return route;
  if (!credentialsFromUrl) {
    // Never used silently, never used at all: a password written into the config file is no secret.
    throw new ProbeFailure(
      'proxy_unreachable',
      { error: 'PROXY_URL_CREDENTIALS', proxySource: source },
      `${source}: credentials in the proxy URL "${redactUrl(raw)}" are refused; set the proxy's username and password (a secret reference) instead`,
    );
  }
  setCredentials(route, decoded(u.username), decoded(u.password));
  return route;
}

/**
 * The proxy for one target, or null for a direct connection. Config mode: `url` unless `noProxy` names the
 * target, credentials from `username`/`password` only (a URL with user info throws: the loader refuses it already).
 * Env mode: HTTPS_PROXY, https_proxy, ALL_PROXY, all_proxy for a secure target (HTTP_PROXY, http_proxy, ALL_PROXY,
 * all_proxy otherwise), the first one set, unless `noProxy` or NO_PROXY (else no_proxy) names the target; credentials
 * may be in the URL (the system's convention). Only http:// proxies: anything else throws a ProbeFailure
 * (proxy_unreachable) whose message names the variable, never the credentials.
 * `configSource` names the config setting in the route's source.
 */
export function proxyFor(target: ProxyTarget, settings: ProxySettings, env: NodeJS.ProcessEnv, configSource = 'config'): ProxyRoute | null {
  if (settings.mode === 'none') return null;
  if (settings.mode === 'config') {
    if (!settings.url || bypassesProxy(target.host, target.port, settings.noProxy)) return null;
    const route = parseProxyUrl(settings.url, configSource, false);
    if (settings.username) setCredentials(route, settings.username, settings.password?.reveal() ?? '');
    return route;
  }
  const name = (target.secure ? SECURE_VARIABLES : PLAIN_VARIABLES).find((n) => env[n]);
  if (!name) return null;
  if (bypassesProxy(target.host, target.port, [...settings.noProxy, env.NO_PROXY ?? env.no_proxy ?? ''])) return null;
  return parseProxyUrl(env[name]!, `env ${name}`, true);
}
