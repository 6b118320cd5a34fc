/** Real servers on 127.0.0.1 for the settlement tests: each behaves like one field fault. */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { startTestProxy } from '../../../agent/net/test-support/connect-proxy.js';

export interface Running {
  port: number;
  url: string;
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Closes the server and every connection it accepted, tunnels and idle keep-alives included. */
function closer(server: net.Server): () => Promise<void> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  server.on('secureConnection', (s: net.Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  return () =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
}

async function listen(server: net.Server, scheme: string): Promise<Running> {
  const close = closer(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { port, url: `${scheme}://127.0.0.1:${port}/`, close };
}

/** A platform-like answer: JSON with a status text. */
export const healthy: Handler = (_req, res) => {
  res.writeHead(200, { 'Content-Type': 'application/json;charset=utf-8' });
  res.end(JSON.stringify({ status: 'UP', message: '医保平台服务正常' }));
};

export function httpServer(handler: Handler = healthy): Promise<Running> {
  return listen(http.createServer(handler), 'http');
}

export function httpsServer(cert: string, key: string, handler: Handler = healthy): Promise<Running> {
  return listen(https.createServer({ cert, key }, handler), 'https');
}

/** Answers after `ms`. */
export function slowServer(ms: number): Promise<Running> {
  return httpServer((req, res) => {
    const t = setTimeout(() => healthy(req, res), ms);
    res.on('close', () => clearTimeout(t));
  });
}

/** Accepts, reads the request, then resets the connection (TCP RST), like a firewall or a crashed front end. */
export function resetServer(): Promise<Running> {
  const server = net.createServer((socket) => {
    socket.once('data', () => socket.resetAndDestroy());
    socket.on('error', () => undefined);
  });
  return listen(server, 'http');
}

/** A port with nothing listening: bound once to get a free number, then closed. */
export async function closedPort(): Promise<number> {
  const s = await listen(net.createServer(), 'http');
  await s.close();
  return s.port;
}

/** Answers with a Date header `offsetMs` away from the real time. */
export function skewedServer(offsetMs: number): Promise<Running> {
  return httpServer((req, res) => {
    res.setHeader('Date', new Date(Date.now() + offsetMs).toUTCString());
    healthy(req, res);
  });
}

export interface ProxyServer extends Running {
  /** CONNECT requests seen, with the Proxy-Authorization header as received. */
  seen: { target: string; authorization?: string }[];
}

/**
 * An HTTP CONNECT proxy (agent/net's test proxy); with `credentials` ("user:password") it answers 407 to anything
 * else, or 401 as tinyproxy answers wrong credentials.
 */
export async function connectProxy(credentials?: string, authFailure: 401 | 407 = 407): Promise<ProxyServer> {
  const proxy = await startTestProxy({ ...(credentials ? { credentials } : {}), authFailureStatus: authFailure });
  return { ...proxy, url: `${proxy.url}/` };
}
