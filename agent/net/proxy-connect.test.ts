import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Deadline, PhaseTimer } from './deadline.js';
import { ProbeFailure } from './failure.js';
import { proxyFor, type ProxyRoute } from './proxy-choice.js';
import { connectViaProxy } from './proxy-connect.js';
import { closedPort, startEchoServer, startTestProxy, type TestProxy } from './test-support/connect-proxy.js';

const PASSWORD = 'hunter2-pw';
const BASIC = Buffer.from(`gp:${PASSWORD}`).toString('base64');

let echo: Awaited<ReturnType<typeof startEchoServer>>;
let open: TestProxy;
let strict407: TestProxy;
let tinyproxyLike: TestProxy;
let silent: TestProxy;
beforeAll(async () => {
  echo = await startEchoServer();
  open = await startTestProxy();
  strict407 = await startTestProxy({ credentials: `gp:${PASSWORD}` });
  tinyproxyLike = await startTestProxy({ credentials: `gp:${PASSWORD}`, authFailureStatus: 401 });
  silent = await startTestProxy({ silent: true });
});
afterAll(async () => {
  await Promise.all([echo, open, strict407, tinyproxyLike, silent].map((s) => s.close()));
});

/** The route proxyFor chooses for HTTPS_PROXY=http://[user:password@]127.0.0.1:port. */
function route(p: { port: number }, credentials?: { username: string; password: string }): ProxyRoute {
  const auth = credentials ? `${credentials.username}:${credentials.password}@` : '';
  const settings = { mode: 'env', url: '', username: '', password: null, noProxy: [] } as const;
  return proxyFor({ host: 'target.example', port: 443, secure: true }, settings, { HTTPS_PROXY: `http://${auth}127.0.0.1:${p.port}` })!;
}

/** Runs the CONNECT client with a fresh budget; returns the socket or the ProbeFailure, and the phases. */
async function connect(r: ProxyRoute, host: string, port: number, budgetMs = 3000): Promise<{ socket?: Socket; failure?: ProbeFailure; phases: Record<string, number> }> {
  const deadline = new Deadline(new AbortController().signal, budgetMs);
  const timer = new PhaseTimer();
  try {
    const { socket } = await connectViaProxy(r, host, port, 'auto', deadline, timer);
    return { socket, phases: timer.phases };
  } catch (err) {
    if (!(err instanceof ProbeFailure)) throw err;
    return { failure: err, phases: timer.phases };
  } finally {
    deadline.dispose();
  }
}

const noSecret = (f: ProbeFailure | undefined): void => {
  const all = `${f?.message} ${JSON.stringify(f?.evidence)}`;
  expect(all).not.toContain(PASSWORD);
  expect(all).not.toContain(BASIC);
};

describe('HTTP CONNECT client on loopback', () => {
  it('opens a tunnel that carries bytes both ways; phases connect then proxy (no dns for an IP literal)', async () => {
    const { socket, phases } = await connect(route(open), '127.0.0.1', echo.port);
    expect(Object.keys(phases)).toEqual(['connect', 'proxy']);
    const reply = new Promise<string>((resolve) => socket!.once('data', (d: Buffer) => resolve(d.toString('utf8'))));
    socket!.write('ping through the tunnel');
    expect(await reply).toBe('PING THROUGH THE TUNNEL');
    socket!.destroy();
    expect(open.seen.at(-1)).toEqual({ target: `127.0.0.1:${echo.port}` });
  });

  it('asks for an IPv6 target in brackets', async () => {
    const { socket, failure } = await connect(route(open), '::1', echo.port);
    socket?.destroy();
    expect(open.seen.at(-1)!.target).toBe(`[::1]:${echo.port}`);
    // The echo server listens on 127.0.0.1 only: the proxy cannot reach [::1] and says so.
    expect(failure).toMatchObject({ reason: 'proxy_refused', evidence: { proxyStatus: 502 } });
  });

  it('sends Basic credentials and gets through', async () => {
    const { socket } = await connect(route(strict407, { username: 'gp', password: PASSWORD }), '127.0.0.1', echo.port);
    expect(socket).toBeDefined();
    socket!.destroy();
    expect(strict407.seen.at(-1)).toEqual({ target: `127.0.0.1:${echo.port}`, authorization: `Basic ${BASIC}` });
  });

  it('407 without credentials → proxy_auth_failed; the message names the proxy, its source and what to do', async () => {
    const { failure } = await connect(route(strict407), '127.0.0.1', echo.port);
    expect(failure).toMatchObject({ reason: 'proxy_auth_failed', evidence: { proxyStatus: 407, credentialsSent: false, proxy: `http://127.0.0.1:${strict407.port}`, proxySource: 'env HTTPS_PROXY' } });
    expect(failure!.message).toBe(
      `proxy http://127.0.0.1:${strict407.port} (env HTTPS_PROXY) refused CONNECT 127.0.0.1:${echo.port}: HTTP/1.1 407 Proxy Authentication Required (the proxy wants credentials)`,
    );
  });

  it('401, as tinyproxy answers wrong credentials, is a proxy auth failure too (was: proxy_refused in the settlement check)', async () => {
    const wrong = await connect(route(tinyproxyLike, { username: 'gp', password: `${PASSWORD}-old` }), '127.0.0.1', echo.port);
    expect(wrong.failure).toMatchObject({ reason: 'proxy_auth_failed', evidence: { proxyStatus: 401, credentialsSent: true } });
    expect(wrong.failure!.message).toMatch(/401 Unauthorized \(wrong proxy credentials\)$/);
    noSecret(wrong.failure);
    const wrong407 = await connect(route(strict407, { username: 'gp', password: 'nope' }), '127.0.0.1', echo.port);
    expect(wrong407.failure).toMatchObject({ reason: 'proxy_auth_failed', evidence: { proxyStatus: 407, credentialsSent: true } });
    expect(JSON.stringify(wrong407.failure!.evidence)).not.toContain('nope');
  });

  it('any other refusal is proxy_refused with the status', async () => {
    const dead = await closedPort();
    const { failure } = await connect(route(open), '127.0.0.1', dead);
    expect(failure).toMatchObject({ reason: 'proxy_refused', evidence: { proxyStatus: 502 } });
    expect(failure!.message).toContain('502 Bad Gateway');
  });

  it('a proxy that cannot be reached → proxy_unreachable with the proxy connection reason', async () => {
    const dead = await closedPort();
    const { failure, phases } = await connect(route({ port: dead }), '127.0.0.1', echo.port);
    expect(failure).toMatchObject({ reason: 'proxy_unreachable', evidence: { proxyReason: 'tcp_refused', error: 'ECONNREFUSED', proxySource: 'env HTTPS_PROXY' } });
    expect(failure!.message).toBe(`proxy http://127.0.0.1:${dead} (env HTTPS_PROXY) cannot be reached: tcp_refused (ECONNREFUSED)`);
    expect(Object.keys(phases)).toEqual(['connect']);
  });

  it('a proxy that never answers CONNECT → proxy_unreachable at the deadline, the proxy phase holding the wait', async () => {
    const { failure, phases } = await connect(route(silent), '127.0.0.1', echo.port, 300);
    expect(failure).toMatchObject({ reason: 'proxy_unreachable', evidence: { error: 'ETIMEDOUT', timeoutMs: 300 } });
    expect(failure!.message).toBe(`proxy http://127.0.0.1:${silent.port} (env HTTPS_PROXY) did not answer CONNECT 127.0.0.1:${echo.port} within 300 ms`);
    expect(phases.proxy).toBeGreaterThanOrEqual(250);
  });
});
