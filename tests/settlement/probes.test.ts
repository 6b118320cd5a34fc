import { X509Certificate } from 'node:crypto';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plugin } from '../../agent/checks/settlement/index.js';
import { spkiPin } from '../../agent/net/index.js';
import { makeTestPki, type TestPki } from './support/pki.js';
import { closedPort, httpServer, httpsServer, resetServer, slowServer, type Running } from './support/servers.js';
import { runOnce, settlementConfig, settlementProbe, subject } from './support/run.js';

let pki: TestPki;
const servers: Running[] = [];
const start = async (s: Promise<Running>): Promise<Running> => {
  const r = await s;
  servers.push(r);
  return r;
};
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const caTrust = () => ({ mode: 'caFile', caFile: pki.caFile });
const rules = (r: Parameters<typeof plugin.rules>[0]) => plugin.rules(r, settlementConfig({ endpoints: [{ name: 'x', url: 'http://x/' }] }));

describe('http probe against real local servers', () => {
  it('https with a valid chain: every phase in order, evidence of the answer, the chain kept for the certificate engine', async () => {
    const s = await start(httpsServer(pki.valid, pki.key));
    const [r] = await runOnce({ endpoints: [{ name: 'platform', url: `https://localhost:${s.port}/fsi/api/ping?key=not-in-evidence`, trust: caTrust(), expectStatus: [200], bodyMatch: '"status":"UP"' }] });
    expect(r).toMatchObject({
      status: 'ok',
      reason: 'ok',
      subject: 'platform',
      labels: { host: 'localhost', port: String(s.port), kind: 'http' },
      evidence: { status: 200, address: '127.0.0.1', url: `https://localhost:${s.port}/fsi/api/ping`, tlsProtocol: 'TLSv1.3' },
    });
    expect(Object.keys(r!.phases!)).toEqual(['dns', 'connect', 'tls', 'send', 'firstByte', 'body']);
    for (const ms of Object.values(r!.phases!)) expect(ms).toBeGreaterThanOrEqual(0);
    const sum = Object.values(r!.phases!).reduce((a, b) => a + b, 0);
    expect(sum).toBeLessThanOrEqual(r!.durationMs + 1);
    expect(JSON.stringify(r)).not.toContain('not-in-evidence');
  });

  it('plain http to an IP address has no dns and no tls phase', async () => {
    const s = await start(httpServer());
    const [r] = await runOnce({ endpoints: [{ name: 'front-end', url: s.url }] });
    expect(r!.status).toBe('ok');
    expect(Object.keys(r!.phases!)).toEqual(['connect', 'send', 'firstByte', 'body']);
  });

  it.each([
    ['expired', 'tls_expired', 'CERT_HAS_EXPIRED'],
    ['wrongHost', 'tls_hostname_mismatch', 'ERR_TLS_CERT_ALTNAME_INVALID'],
    ['unknownCa', 'tls_untrusted', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
  ] as const)('a %s server certificate fails the TLS phase with %s → PLATFORM_TLS_FAILED critical', async (which, reason, tlsError) => {
    const s = await start(httpsServer(pki[which], pki.key));
    const [r] = await runOnce({ endpoints: [{ name: 'platform', url: `https://localhost:${s.port}/`, trust: caTrust() }] });
    expect(r).toMatchObject({ status: 'fail', reason, evidence: { tlsError } });
    expect(Object.keys(r!.phases!)).toEqual(['dns', 'connect', 'tls']);
    expect(rules(r!)).toEqual({ code: 'PLATFORM_TLS_FAILED', severity: 'critical' });
  });

  it('a pinned server key is trusted without a CA; another pin fails with the server\'s pin in the evidence', async () => {
    const s = await start(httpsServer(pki.unknownCa, pki.key));
    const pin = spkiPin(Buffer.from(new X509Certificate(pki.unknownCa).raw));
    const ok = await runOnce({ endpoints: [{ name: 'p', url: `https://localhost:${s.port}/`, trust: { mode: 'pin', pins: [pin] } }] });
    expect(ok[0]!.status).toBe('ok');
    const other = `sha256/${Buffer.alloc(32, 7).toString('base64')}`;
    const [bad] = await runOnce({ endpoints: [{ name: 'p', url: `https://localhost:${s.port}/`, trust: { mode: 'pin', pins: [other] } }] });
    expect(bad).toMatchObject({ status: 'fail', reason: 'tls_pin_mismatch', evidence: { serverPin: pin } });
  });

  it('a TLS handshake against a plain HTTP port fails, one that never answers times out, garbage is not HTTP', async () => {
    const plain = await start(httpServer());
    const silent = net.createServer((socket) => socket.on('error', () => undefined));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const garbage = net.createServer((socket) => socket.once('data', () => socket.end('HELLO THERE\r\n\r\n')));
    await new Promise<void>((resolve) => garbage.listen(0, '127.0.0.1', resolve));
    try {
      const results = await runOnce({
        endpoints: [
          { name: 'wrong-protocol', kind: 'tls', host: '127.0.0.1', port: plain.port },
          { name: 'silent', kind: 'tls', host: '127.0.0.1', port: (silent.address() as AddressInfo).port, timeoutSeconds: 0.2 },
          { name: 'garbage', url: `http://127.0.0.1:${(garbage.address() as AddressInfo).port}/` },
        ],
      });
      expect(subject(results, 'wrong-protocol')).toMatchObject({ reason: 'tls_handshake_failed', evidence: { error: 'ERR_SSL_WRONG_VERSION_NUMBER' } });
      expect(subject(results, 'silent')).toMatchObject({ reason: 'tls_timeout', evidence: { timeoutMs: 200 } });
      expect(subject(results, 'garbage')).toMatchObject({ reason: 'http_bad_response' });
      expect(rules(subject(results, 'silent'))).toEqual({ code: 'PLATFORM_TLS_FAILED', severity: 'critical' });
      expect(rules(subject(results, 'garbage'))).toEqual({ code: 'PLATFORM_HTTP_ERROR', severity: 'major' });
    } finally {
      for (const s of [silent, garbage]) s.close();
      silent.unref();
    }
  });

  it('the system store does not trust the test CA', async () => {
    const s = await start(httpsServer(pki.valid, pki.key));
    const [r] = await runOnce({ endpoints: [{ name: 'p', url: `https://localhost:${s.port}/` }] });
    expect(r!.reason).toBe('tls_untrusted');
  });

  it('HTTP 500 against expectStatus → http_status → PLATFORM_HTTP_ERROR major; without expectStatus any answer is reachable', async () => {
    const s = await start(httpServer((_req, res) => res.writeHead(500).end('Internal Server Error')));
    const [r] = await runOnce({ endpoints: [{ name: 'platform', url: s.url, expectStatus: [200] }] });
    expect(r).toMatchObject({ status: 'fail', reason: 'http_status', evidence: { status: 500, expectStatus: '200' } });
    expect(Object.keys(r!.phases!)).toEqual(['connect', 'send', 'firstByte', 'body']);
    expect(rules(r!)).toEqual({ code: 'PLATFORM_HTTP_ERROR', severity: 'major' });
    expect((await runOnce({ endpoints: [{ name: 'platform', url: s.url }] }))[0]!.status).toBe('ok');
  });

  it('a body without the expected text, or with a forbidden one, fails; GBK bodies are decoded by their charset', async () => {
    const s = await start(
      httpServer((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=gbk' });
        res.end(Buffer.from('cfb5cdb3ceacbba4', 'hex')); // "系统维护" in GBK
      }),
    );
    const [missing] = await runOnce({ endpoints: [{ name: 'p', url: s.url, bodyMatch: 'status.*UP' }] });
    expect(missing).toMatchObject({ status: 'fail', reason: 'http_body_mismatch', evidence: { bodyMatch: 'status.*UP' } });
    const [forbidden] = await runOnce({ endpoints: [{ name: 'p', url: s.url, bodyNotMatch: '系统维护' }] });
    expect(forbidden).toMatchObject({ status: 'fail', reason: 'http_body_forbidden' });
    expect(rules(forbidden!)).toEqual({ code: 'PLATFORM_HTTP_ERROR', severity: 'major' });
  });

  it('a connection reset by the server → tcp_reset → PLATFORM_UNREACHABLE critical', async () => {
    const s = await start(resetServer());
    const [r] = await runOnce({ endpoints: [{ name: 'platform', url: s.url }] });
    expect(r).toMatchObject({ status: 'fail', reason: 'tcp_reset', evidence: { error: 'ECONNRESET' } });
    expect(rules(r!)).toEqual({ code: 'PLATFORM_UNREACHABLE', severity: 'critical' });
  });

  it('a port with nothing listening → tcp_refused, for http and tcp kinds', async () => {
    const port = await closedPort();
    const results = await runOnce({
      endpoints: [
        { name: 'http', url: `http://127.0.0.1:${port}/` },
        { name: 'tcp', kind: 'tcp', host: '127.0.0.1', port },
      ],
    });
    for (const r of results) {
      expect(r).toMatchObject({ status: 'fail', reason: 'tcp_refused', evidence: { error: 'ECONNREFUSED' } });
      expect(rules(r)).toEqual({ code: 'PLATFORM_UNREACHABLE', severity: 'critical' });
    }
  });

  it('a name under .invalid does not resolve → dns_not_found → PLATFORM_DNS_FAILED critical, for every kind', async () => {
    const results = await runOnce({
      endpoints: [
        { name: 'http', url: 'https://settlement.invalid/fsi/' },
        { name: 'dns', kind: 'dns', host: 'settlement.invalid' },
        { name: 'tls', kind: 'tls', host: 'settlement.invalid' },
      ],
    });
    for (const r of results) {
      expect(r).toMatchObject({ status: 'fail', reason: 'dns_not_found', labels: { host: 'settlement.invalid' } });
      expect(Object.keys(r.phases!)).toEqual(['dns']);
      expect(rules(r)).toEqual({ code: 'PLATFORM_DNS_FAILED', severity: 'critical' });
    }
  });

  it('tcp, tls and dns kinds succeed against a live server, each with its own phases', async () => {
    const s = await start(httpsServer(pki.valid, pki.key));
    const results = await runOnce({
      endpoints: [
        { name: 'tcp', kind: 'tcp', host: 'localhost', port: s.port },
        { name: 'tls', kind: 'tls', host: 'localhost', port: s.port, trust: caTrust() },
        { name: 'dns', kind: 'dns', host: 'localhost' },
      ],
    });
    expect(Object.keys(subject(results, 'tcp').phases!)).toEqual(['dns', 'connect']);
    expect(subject(results, 'tls')).toMatchObject({ status: 'ok', evidence: { tlsProtocol: 'TLSv1.3' } });
    expect(Object.keys(subject(results, 'tls').phases!)).toEqual(['dns', 'connect', 'tls']);
    expect(subject(results, 'dns')).toMatchObject({ status: 'ok', evidence: { addresses: '127.0.0.1', addressCount: 1 } });
  });

  it('ipFamily ipv6 finds no address for an IPv4-only name; ipv4 does', async () => {
    const s = await start(httpServer());
    const url = `http://localhost:${s.port}/`;
    const [v6] = await runOnce({ endpoints: [{ name: 'p', url, ipFamily: 'ipv6' }] });
    expect(v6!.reason).toBe('dns_not_found');
    const [v4] = await runOnce({ endpoints: [{ name: 'p', url, ipFamily: 'ipv4' }] });
    expect(v4!.status).toBe('ok');
  });

  it('redirects: reported as the answer when not followed, followed (phases added up) when configured, bounded', async () => {
    const target = await start(httpServer());
    const hop = await start(httpServer((req, res) => res.writeHead(302, { Location: req.url === '/loop' ? '/loop' : `${target.url}final` }).end()));
    const [plain] = await runOnce({ endpoints: [{ name: 'p', url: hop.url, expectStatus: [200] }] });
    expect(plain).toMatchObject({ reason: 'http_status', evidence: { status: 302 } });
    const [followed] = await runOnce({ endpoints: [{ name: 'p', url: hop.url, followRedirects: true, expectStatus: [200] }] });
    expect(followed).toMatchObject({ status: 'ok', evidence: { status: 200, redirects: 1, url: `${target.url}final` } });
    expect(Object.keys(followed!.phases!)).toEqual(['connect', 'send', 'firstByte', 'body']);
    const [loop] = await runOnce({ endpoints: [{ name: 'p', url: `${hop.url}loop`, followRedirects: true, maxRedirects: 3 }] });
    expect(loop).toMatchObject({ status: 'fail', reason: 'http_too_many_redirects', evidence: { redirects: 3 } });
  });

  it('an answer slower than the endpoint timeout → response_timeout, with the time spent waiting in the firstByte phase', async () => {
    const s = await start(slowServer(1500));
    const [r] = await runOnce({ endpoints: [{ name: 'p', url: s.url, timeoutSeconds: 0.3 }] });
    expect(r).toMatchObject({ status: 'fail', reason: 'response_timeout', evidence: { timeoutMs: 300 } });
    expect(r!.phases!.firstByte).toBeGreaterThan(200);
    expect(rules(r!)).toEqual({ code: 'PLATFORM_UNREACHABLE', severity: 'critical' });
  });

  it('slow answers are ok until slowAfter in a row, then slow → PLATFORM_SLOW minor; a fast one resets the count', async () => {
    const s = await start(slowServer(120));
    const probe = settlementProbe({ endpoints: [{ name: 'p', url: s.url, slowSeconds: 0.1, slowAfter: 2 }] });
    const signal = new AbortController().signal;
    const first = (await probe.run(signal))[0]!;
    expect(first).toMatchObject({ status: 'ok', evidence: { slowStreak: 1 } });
    const second = (await probe.run(signal))[0]!;
    expect(second).toMatchObject({ status: 'fail', reason: 'slow', evidence: { slowStreak: 2, slowMs: 100 } });
    expect(rules(second)).toEqual({ code: 'PLATFORM_SLOW', severity: 'minor' });
  });

  it('honours the run\'s AbortSignal: an abandoned run rejects promptly instead of reporting a fault', async () => {
    const s = await start(slowServer(5000));
    const probe = settlementProbe({ endpoints: [{ name: 'p', url: s.url, timeoutSeconds: 30 }] });
    const ac = new AbortController();
    const t0 = performance.now();
    setTimeout(() => ac.abort(new Error('check run exceeded its timeout')), 100);
    await expect(probe.run(ac.signal)).rejects.toThrow('check run exceeded its timeout');
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});
