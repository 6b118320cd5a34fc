import type { DeskConfig } from '../core/config/schema.js';
import type { Secret } from '../core/config/secret.js';
import { proxyFor, urlHost, urlPort, type ProxyRoute, type ProxySettings } from '../net/index.js';

/**
 * Which proxy (if any) reaches the desk (agent/net's proxy choice): desk.proxy from the config wins, whatever
 * NO_PROXY says; otherwise HTTPS_PROXY, https_proxy, ALL_PROXY, all_proxy unless NO_PROXY (or no_proxy) names the
 * desk host. Credentials may be in the env URL (http://user:pass@host:port). Only http:// proxies: the TLS session
 * to the desk runs inside. Throws a ProbeFailure naming the variable for anything else.
 */
export function chooseProxy(target: URL, desk: DeskConfig, env: NodeJS.ProcessEnv): ProxyRoute | null {
  const settings: ProxySettings = desk.proxy
    ? { mode: 'config', url: desk.proxy.url, username: desk.proxy.username ?? '', password: (desk.proxy.password as unknown as Secret | undefined) ?? null, noProxy: [] }
    : { mode: 'env', url: '', username: '', password: null, noProxy: [] };
  return proxyFor({ host: urlHost(target), port: urlPort(target), secure: true }, settings, env, 'config desk.proxy');
}
