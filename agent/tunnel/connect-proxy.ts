import type { Socket } from 'node:net';
import { connectViaProxy, Deadline, PhaseTimer, ProbeFailure, type ProxyRoute } from '../net/index.js';

/**
 * Opens a TCP tunnel to the desk through an HTTP CONNECT proxy with agent/net's client, within `timeoutMs`
 * (`signal` abandons it). Resolves with the raw socket once the proxy answers 2xx; rejects with the client's
 * message, which names the proxy and where it came from, plus where the desk's credentials are set when the proxy
 * wants some. The caller runs TLS over the socket, so the proxy sees only the desk's host and port.
 */
export async function connectThroughProxy(proxy: ProxyRoute, host: string, port: number, timeoutMs: number, signal = new AbortController().signal): Promise<Socket> {
  const deadline = new Deadline(signal, timeoutMs);
  try {
    const { socket } = await connectViaProxy(proxy, host, port, 'auto', deadline, new PhaseTimer());
    return socket;
  } catch (err) {
    if (err instanceof ProbeFailure && err.reason === 'proxy_auth_failed' && err.evidence.credentialsSent === false) {
      const where = proxy.source.startsWith('env ') ? `user:password in ${proxy.source.slice(4)}` : 'desk.proxy.username and desk.proxy.password';
      throw new Error(`${err.message}: set ${where}`);
    }
    throw err;
  } finally {
    deadline.dispose();
  }
}
