import type net from 'node:net';
import type { Deadline, PhaseTimer } from './deadline.js';
import { codeOf, ProbeFailure } from './failure.js';
import type { ProxyRoute } from './proxy-choice.js';
import { resolveAddresses, type IpFamily } from './resolve.js';
import { connectTcp } from './tcp-connect.js';
import { hostPort } from './url.js';

/** Most a proxy may send before its CONNECT answer's blank line. */
const MAX_RESPONSE_HEAD = 16 * 1024;

interface ProxyAnswer {
  status: number;
  statusLine: string;
  /** Bytes after the head: the tunnel's first bytes, given back to the socket. */
  rest: Buffer;
}

/** Reads the proxy's answer head (status line and headers) without consuming tunnel bytes after it. */
function readHead(socket: net.Socket): Promise<ProxyAnswer> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const done = (err: Error | null, value?: ProxyAnswer): void => {
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
      const head = buf.subarray(0, end).toString('latin1');
      const statusLine = head.split('\r\n', 1)[0]!.slice(0, 120);
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
      if (!m) return done(Object.assign(new Error('not an HTTP answer'), { code: 'PROXY_BAD_ANSWER' }));
      done(null, { status: Number(m[1]), statusLine, rest: buf.subarray(end + 4) });
    };
    const onError = (err: Error): void => done(err);
    const onEnd = (): void => done(Object.assign(new Error('proxy closed the connection'), { code: 'ECONNRESET' }));
    socket.on('data', onData).once('error', onError).once('end', onEnd);
  });
}

/** The Proxy-Authorization value for the route's credentials, if it has any. Never logged or put in evidence. */
function authorization(route: ProxyRoute): string | undefined {
  if (route.username === undefined) return undefined;
  return `Basic ${Buffer.from(`${route.username}:${route.password ?? ''}`, 'utf8').toString('base64')}`;
}

/**
 * Opens a tunnel to target through an HTTP CONNECT proxy, timing its phases: resolve the proxy's name (dns),
 * connect to it (connect), the CONNECT exchange (proxy). The target's name is resolved by the proxy, as the
 * traffic of the software being watched would be. Basic credentials when the route has them.
 *
 * Fails with a ProbeFailure whose message names the proxy and where it came from (never the password):
 * proxy_unreachable (the proxy's own connection failed: `proxyReason`; or it did not answer CONNECT in time),
 * proxy_auth_failed (407, and 401, which is how tinyproxy answers wrong credentials: a CONNECT answer always comes
 * from the proxy itself; `credentialsSent`), proxy_refused (any other non-2xx: `proxyStatus`).
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
  const named = `proxy ${route.display} (${route.source})`;
  let connected: { socket: net.Socket; address: string };
  try {
    const addresses = await resolveAddresses(route.host, family, deadline, timer);
    connected = await connectTcp(addresses, route.port, deadline);
    timer.mark('connect');
  } catch (err) {
    if (!(err instanceof ProbeFailure)) throw err;
    timer.mark('connect');
    const code = err.evidence.error === undefined ? '' : ` (${String(err.evidence.error)})`;
    throw new ProbeFailure('proxy_unreachable', { ...err.evidence, ...where, proxyReason: err.reason }, `${named} cannot be reached: ${err.reason}${code}`);
  }
  const { socket } = connected;
  const authority = hostPort(targetHost, targetPort);
  const credentials = authorization(route);
  const head = [`CONNECT ${authority} HTTP/1.1`, `Host: ${authority}`, ...(credentials ? [`Proxy-Authorization: ${credentials}`] : []), '', ''];
  let answer: ProxyAnswer;
  try {
    socket.write(head.join('\r\n'));
    answer = await deadline.race(readHead(socket), 'proxy_unreachable', () => socket.destroy());
  } catch (err) {
    timer.mark('proxy');
    socket.destroy();
    if (err instanceof ProbeFailure) {
      throw new ProbeFailure(err.reason, { ...err.evidence, ...where, error: 'ETIMEDOUT' }, `${named} did not answer CONNECT ${authority} within ${deadline.budgetMs} ms`);
    }
    if (deadline.signal.aborted) throw err;
    throw new ProbeFailure('proxy_unreachable', { ...where, error: codeOf(err) }, `${named} failed before answering CONNECT ${authority}: ${(err as Error).message}`);
  }
  timer.mark('proxy');
  if (answer.status < 200 || answer.status > 299) {
    socket.destroy();
    const refused = `${named} refused CONNECT ${authority}: ${answer.statusLine}`;
    if (answer.status === 407 || answer.status === 401) {
      const sent = credentials !== undefined;
      const hint = sent ? 'wrong proxy credentials' : 'the proxy wants credentials';
      throw new ProbeFailure('proxy_auth_failed', { ...where, proxyStatus: answer.status, credentialsSent: sent }, `${refused} (${hint})`);
    }
    throw new ProbeFailure('proxy_refused', { ...where, proxyStatus: answer.status }, refused);
  }
  if (answer.rest.length) socket.unshift(answer.rest);
  return { socket, address: `${route.host}:${route.port}` };
}
