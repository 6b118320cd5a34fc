import { connect, type Socket } from 'node:net';
import type { ProxyChoice } from './proxy.js';

/** Most a proxy may send before its CONNECT answer's blank line. */
const MAX_RESPONSE_HEAD = 16 * 1024;

/**
 * Opens a TCP tunnel to host:port through an HTTP CONNECT proxy (Basic credentials when given). Resolves with the
 * raw socket once the proxy answers 2xx; rejects with the proxy's status line otherwise (407: wrong or missing
 * credentials). The caller runs TLS over the socket, so the proxy sees only the desk's host and port.
 */
export function connectThroughProxy(proxy: ProxyChoice, host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: proxy.host, port: proxy.port });
    const authority = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    let head = Buffer.alloc(0);
    const fail = (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    const timer = setTimeout(() => fail(new Error(`proxy ${proxy.host}:${proxy.port} (${proxy.source}) did not answer CONNECT within ${timeoutMs} ms`)), timeoutMs);
    const onError = (err: Error) => fail(new Error(`proxy ${proxy.host}:${proxy.port} (${proxy.source}): ${err.message}`));
    const onClose = () => fail(new Error(`proxy ${proxy.host}:${proxy.port} closed the connection before answering CONNECT`));
    socket.once('error', onError);
    socket.once('close', onClose);
    socket.once('connect', () => {
      const lines = [`CONNECT ${authority} HTTP/1.1`, `Host: ${authority}`];
      if (proxy.username !== undefined) {
        const basic = Buffer.from(`${proxy.username}:${proxy.password ?? ''}`).toString('base64');
        lines.push(`Proxy-Authorization: Basic ${basic}`);
      }
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > MAX_RESPONSE_HEAD) fail(new Error(`proxy ${proxy.host}:${proxy.port} sent an oversized answer to CONNECT`));
        return;
      }
      socket.off('data', onData);
      const statusLine = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
      if (status < 200 || status > 299) {
        // tinyproxy answers wrong credentials with 401 rather than 407: both mean the credentials.
        const hint = status === 407 || status === 401 ? (proxy.username === undefined ? ' (the proxy wants credentials: set desk.proxy.username/password)' : ' (wrong proxy credentials)') : '';
        fail(new Error(`proxy ${proxy.host}:${proxy.port} refused CONNECT ${authority}: ${statusLine.slice(0, 120)}${hint}`));
        return;
      }
      clearTimeout(timer);
      socket.off('error', onError);
      socket.off('close', onClose);
      socket.pause();
      const rest = head.subarray(end + 4);
      if (rest.length) socket.unshift(rest);
      resolve(socket);
    };
    socket.on('data', onData);
  });
}
