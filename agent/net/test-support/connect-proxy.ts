/** A real HTTP CONNECT proxy on 127.0.0.1 for agent/net's tests: node:http's CONNECT handling, real sockets. */
import http, { type IncomingMessage } from 'node:http';
import net, { type AddressInfo } from 'node:net';

export interface TestProxy {
  port: number;
  url: string;
  /** CONNECT requests seen: the authority asked for and the Proxy-Authorization header as received. */
  seen: { target: string; authorization?: string }[];
  close(): Promise<void>;
}

export interface TestProxyOptions {
  /** "user:password": anything else is refused with `authFailureStatus`. */
  credentials?: string;
  /** 407 as RFC 9110 says; 401 is what tinyproxy answers to wrong credentials. */
  authFailureStatus?: 401 | 407;
  /** Accept CONNECT and never answer (a hung proxy). */
  silent?: boolean;
}

const reasonPhrase = { 401: 'Unauthorized', 407: 'Proxy Authentication Required' } as const;

export async function startTestProxy(opts: TestProxyOptions = {}): Promise<TestProxy> {
  const seen: TestProxy['seen'] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((_req, res) => res.writeHead(405).end());
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  server.on('connect', (req: IncomingMessage, client: net.Socket, head: Buffer) => {
    const authorization = req.headers['proxy-authorization'];
    seen.push({ target: req.url ?? '', ...(authorization ? { authorization } : {}) });
    client.on('error', () => undefined);
    if (opts.silent) return;
    if (opts.credentials && authorization !== `Basic ${Buffer.from(opts.credentials).toString('base64')}`) {
      const status = opts.authFailureStatus ?? 407;
      client.end(`HTTP/1.1 ${status} ${reasonPhrase[status]}\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(req.url ?? '');
    const upstream = net.connect(Number(m?.[2]), m?.[1] ?? '', () => {
      client.once('close', () => upstream.destroy());
      upstream.once('close', () => client.destroy());
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A TCP server that echoes what it gets, upper-cased: proof that bytes crossed the tunnel both ways. */
export async function startEchoServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    s.on('data', (d) => s.write(d.toString('utf8').toUpperCase()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port with nothing listening: bound once to get a free number, then closed. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
