import net, { BlockList, isIP } from 'node:net';
import type { Secret } from '../../../core/config/secret.js';
import type { Deadline, PhaseTimer } from './deadline.js';
import { resolveAddresses, type IpFamily } from './resolve.js';
import { codeOf, ProbeFailure } from './failure.js';
import { connectTcp } from './tcp-connect.js';

/** The proxy settings with defaults filled and the password resolved by the config loader. */
export interface ProxySettings {
  mode: 'env' | 'config' | 'none';
  url: string;
  username: string;
  password: Secret | null;
  noProxy: string[];
}

/** Where to CONNECT through. `authorization` is the Proxy-Authorization value: never logged or put in evidence. */
export interface ProxyRoute {
  host: string;
  port: number;
  /** The proxy URL without credentials, for evidence. */
  display: string;
  /** Where the proxy came from: "config", "env HTTPS_PROXY", ... */
  source: string;
  authorization?: string;
}

const MAX_RESPONSE_HEAD = 16 * 1024;

/** True when `host` (and `port`) is listed in a NO_PROXY-style list: "*", name (with subdomains), ".suffix", IP, CIDR, host:port. */
export function bypassesProxy(host: string, port: number, list: string[]): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  for (const raw of list) {
    let entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    const withPort = /^(.*):(\d+)$/.exec(entry);
    if (withPort && !entry.includes('::')) {
      if (Number(withPort[2]) !== port) continue;
      entry = withPort[1]!;
    }
    if (entry.includes('/') && isIP(h)) {
      const [net4, bits] = entry.split('/');
      const type = isIP(net4!) === 6 ? 'ipv6' : 'ipv4';
      try {
        const block = new BlockList();
        block.addSubnet(net4!, Number(bits), type);
        if (block.check(h, isIP(h) === 6 ? 'ipv6' : 'ipv4')) return true;
      } catch {
        // not a usable CIDR: ignore the entry, as curl does
      }
      continue;
    }
    entry = entry.replace(/^\*?\./, '');
    if (h === entry || h.endsWith(`.${entry}`)) return true;
  }
  return false;
}

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

function parseProxyUrl(url: string, source: string): ProxyRoute {
  let u: URL;
  try {
    u = new URL(url.includes('://') ? url : `http://${url}`);
  } catch {
    throw new ProbeFailure('proxy_unreachable', { error: 'BAD_PROXY_URL', proxySource: source });
  }
  if (u.protocol !== 'http:') throw new ProbeFailure('proxy_unreachable', { error: 'UNSUPPORTED_PROXY_SCHEME', proxySource: source });
  const route: ProxyRoute = { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 80), display: `http://${u.host}`, source };
  if (u.username) route.authorization = basic(decodeURIComponent(u.username), decodeURIComponent(u.password));
  return route;
}

/**
 * The proxy for one target, or null for a direct connection. `secure` picks HTTPS_PROXY over HTTP_PROXY in env
 * mode; tcp and tls probes count as secure (they are tunnelled with CONNECT like https).
 */
export function proxyFor(targetHost: string, targetPort: number, secure: boolean, settings: ProxySettings, env: NodeJS.ProcessEnv): ProxyRoute | null {
  if (settings.mode === 'none') return null;
  if (settings.mode === 'config') {
    if (!settings.url || bypassesProxy(targetHost, targetPort, settings.noProxy)) return null;
    const route = parseProxyUrl(settings.url, 'config');
    if (settings.username) route.authorization = basic(settings.username, settings.password?.reveal() ?? '');
    return route;
  }
  const names = secure ? ['HTTPS_PROXY', 'https_proxy'] : ['HTTP_PROXY', 'http_proxy'];
  const name = names.find((n) => env[n]);
  if (!name) return null;
  const noProxy = [...settings.noProxy, ...(env.NO_PROXY ?? env.no_proxy ?? '').split(',')];
  if (bypassesProxy(targetHost, targetPort, noProxy)) return null;
  return parseProxyUrl(env[name]!, `env ${name}`);
}

/** Reads the proxy's answer head (status line and headers) without consuming tunnel bytes after it. */
function readHead(socket: net.Socket): Promise<{ status: number; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const done = (err: Error | null, value?: { status: number; rest: Buffer }): void => {
      socket.off('data', onData).off('error', onError).off('end', onEnd);
      if (err) reject(err);
      else resolve(value!);
    };
    const onData = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buf.length > MAX_RESPONSE_HEAD) done(Object.assign(new Error('proxy answer too long'), { code: 'PROXY_BAD_ANSWER' }));
        return;
      }
      // The tunnel's own bytes flow only after the client speaks, so nothing is lost between here and the consumer.
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(buf.subarray(0, end).toString('latin1'));
      if (!m) return done(Object.assign(new Error('not an HTTP answer'), { code: 'PROXY_BAD_ANSWER' }));
      done(null, { status: Number(m[1]), rest: buf.subarray(end + 4) });
    };
    const onError = (err: Error): void => done(err);
    const onEnd = (): void => done(Object.assign(new Error('proxy closed the connection'), { code: 'ECONNRESET' }));
    socket.on('data', onData).once('error', onError).once('end', onEnd);
  });
}

/**
 * Opens a tunnel to target through the proxy: resolve the proxy (dns), connect to it (connect), CONNECT (proxy).
 * The target's name is resolved by the proxy, as the settlement software's traffic would be.
 */
export async function connectViaProxy(
  route: ProxyRoute,
  targetHost: string,
  targetPort: number,
  family: IpFamily,
  deadline: Deadline,
  timer: PhaseTimer,
): Promise<{ socket: net.Socket; address: string }> {
  const where = { proxy: route.display, proxySource: route.source };
  let connected: { socket: net.Socket; address: string };
  try {
    const addresses = await resolveAddresses(route.host, family, deadline, timer);
    connected = await connectTcp(addresses, route.port, deadline);
    timer.mark('connect');
  } catch (err) {
    if (!(err instanceof ProbeFailure)) throw err;
    timer.mark('connect');
    throw new ProbeFailure('proxy_unreachable', { ...err.evidence, ...where, proxyReason: err.reason });
  }
  const { socket } = connected;
  const authority = isIP(targetHost) === 6 ? `[${targetHost}]:${targetPort}` : `${targetHost}:${targetPort}`;
  const head = [`CONNECT ${authority} HTTP/1.1`, `Host: ${authority}`, ...(route.authorization ? [`Proxy-Authorization: ${route.authorization}`] : []), '', ''];
  let answer: { status: number; rest: Buffer };
  try {
    socket.write(head.join('\r\n'));
    answer = await deadline.race(readHead(socket), 'proxy_unreachable', () => socket.destroy());
  } catch (err) {
    timer.mark('proxy');
    socket.destroy();
    if (err instanceof ProbeFailure) throw new ProbeFailure(err.reason, { ...err.evidence, ...where, error: 'ETIMEDOUT' });
    if (deadline.signal.aborted) throw err;
    throw new ProbeFailure('proxy_unreachable', { ...where, error: codeOf(err) });
  }
  timer.mark('proxy');
  if (answer.status === 407) {
    socket.destroy();
    throw new ProbeFailure('proxy_auth_failed', { ...where, proxyStatus: 407, credentialsSent: route.authorization !== undefined });
  }
  if (answer.status < 200 || answer.status > 299) {
    socket.destroy();
    throw new ProbeFailure('proxy_refused', { ...where, proxyStatus: answer.status });
  }
  if (answer.rest.length) socket.unshift(answer.rest);
  return { socket, address: `${route.host}:${route.port}` };
}
