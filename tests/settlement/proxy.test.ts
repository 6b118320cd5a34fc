import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinPlugins } from '../../agent/checks/all.js';
import { plugin } from '../../agent/checks/settlement/index.js';
import { bypassesProxy } from '../../agent/net/index.js';
import { testContext } from '../../agent/checks/shared/testing.js';
import { buildConfig } from '../../agent/core/config/load.js';
import { FaultCatalogue } from '../../agent/core/faults/catalogue.js';
import { currentPlatform } from '../../agent/platform/index.js';
import { makeTestPki, type TestPki } from './support/pki.js';
import { closedPort, connectProxy, httpsServer, type ProxyServer, type Running } from './support/servers.js';
import { runOnce, settlementConfig, SITE } from './support/run.js';

let pki: TestPki;
let platform: Running;
let open: ProxyServer;
let guarded: ProxyServer;
let tinyproxyLike: ProxyServer;
beforeAll(async () => {
  pki = makeTestPki();
  platform = await httpsServer(pki.valid, pki.key);
  open = await connectProxy();
  guarded = await connectProxy('guardpost:s3cret-pw');
  tinyproxyLike = await connectProxy('guardpost:s3cret-pw', 401);
});
afterAll(async () => {
  await Promise.all([platform, open, guarded, tinyproxyLike].map((s) => s.close()));
});

const endpoint = () => ({ name: 'platform', url: `https://localhost:${platform.port}/fsi/`, trust: { mode: 'caFile', caFile: pki.caFile }, expectStatus: [200] });
const proxyOf = (s: Running) => s.url.replace(/\/$/, '');
const rules = (r: Parameters<typeof plugin.rules>[0]) => plugin.rules(r, settlementConfig({ endpoints: [endpoint()] }));

/** The whole config path: SecretRef → Secret by the real loader, as the agent gets it. */
function loadedSettings(proxy: Record<string, unknown>, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const cfg = buildConfig(
    { site: SITE, checks: { settlement: { endpoints: [endpoint()], proxy } }, storage: { dir: mkdtempSync(join(tmpdir(), 'gp-proxy-')) } },
    'test',
    { plugins: builtinPlugins, platform: currentPlatform(), faultCodes: new FaultCatalogue(builtinPlugins).codes(), env },
  );
  return cfg.checks[0]!.settings;
}

describe('HTTP CONNECT proxy on loopback', () => {
  it('tunnels through a proxy without credentials: proxy phase between connect and tls, target resolved by the proxy', async () => {
    const before = open.seen.length;
    const [r] = await runOnce({ endpoints: [endpoint()], proxy: { mode: 'config', url: proxyOf(open) } });
    expect(r).toMatchObject({ status: 'ok', evidence: { status: 200, proxy: proxyOf(open), proxySource: 'config' }, labels: { host: 'localhost' } });
    expect(Object.keys(r!.phases!)).toEqual(['connect', 'proxy', 'tls', 'send', 'firstByte', 'body']);
    expect(open.seen.slice(before)).toEqual([{ target: `localhost:${platform.port}` }]);
  });

  it('sends the configured credentials (password from a SecretRef) and gets through; the password is in no result', async () => {
    const settings = loadedSettings({ mode: 'config', url: proxyOf(guarded), username: 'guardpost', password: { env: 'GP_PROXY_PW' } }, { GP_PROXY_PW: 's3cret-pw' });
    const probe = plugin.createProbe(settings as never, { ...testContext(), env: {} } as never);
    const results = await probe.run(new AbortController().signal);
    expect(results[0]).toMatchObject({ status: 'ok', evidence: { proxy: proxyOf(guarded) } });
    expect(JSON.stringify(results)).not.toMatch(/s3cret|Z3VhcmRwb3N0OnMzY3JldC1wdw/);
  });

  it('wrong or missing credentials → proxy_auth_failed → PROXY_AUTH_FAILED major', async () => {
    const settings = loadedSettings({ mode: 'config', url: proxyOf(guarded), username: 'guardpost', password: { env: 'GP_PROXY_PW' } }, { GP_PROXY_PW: 'wrong-pw' });
    const [wrong] = await plugin.createProbe(settings as never, { ...testContext(), env: {} } as never).run(new AbortController().signal);
    expect(wrong).toMatchObject({ status: 'fail', reason: 'proxy_auth_failed', evidence: { proxyStatus: 407, credentialsSent: true } });
    expect(rules(wrong!)).toEqual({ code: 'PROXY_AUTH_FAILED', severity: 'major' });
    expect(JSON.stringify(wrong)).not.toContain('wrong-pw');
    const [none] = await runOnce({ endpoints: [endpoint()], proxy: { mode: 'config', url: proxyOf(guarded) } });
    expect(none).toMatchObject({ reason: 'proxy_auth_failed', evidence: { credentialsSent: false } });
  });

  it('a 401 answer to CONNECT (tinyproxy, wrong credentials) is PROXY_AUTH_FAILED too, not an unreachable platform', async () => {
    const env = { HTTPS_PROXY: `http://guardpost:old-pw@${proxyOf(tinyproxyLike).replace('http://', '')}` };
    const [r] = await runOnce({ endpoints: [endpoint()] }, { env });
    expect(r).toMatchObject({ status: 'fail', reason: 'proxy_auth_failed', evidence: { proxyStatus: 401, credentialsSent: true, proxySource: 'env HTTPS_PROXY' } });
    expect(rules(r!)).toEqual({ code: 'PROXY_AUTH_FAILED', severity: 'major' });
    expect(JSON.stringify(r)).not.toContain('old-pw');
  });

  it('mode env: ALL_PROXY serves when HTTPS_PROXY is not set', async () => {
    const [via] = await runOnce({ endpoints: [endpoint()] }, { env: { ALL_PROXY: proxyOf(open) } });
    expect(via).toMatchObject({ status: 'ok', evidence: { proxy: proxyOf(open), proxySource: 'env ALL_PROXY' } });
  });

  it('mode env: HTTPS_PROXY with credentials in the URL; NO_PROXY bypasses it; useProxy false ignores it', async () => {
    const hostPort = proxyOf(guarded).replace('http://', '');
    const env = { HTTPS_PROXY: `http://guardpost:s3cret-pw@${hostPort}` };
    const [via] = await runOnce({ endpoints: [endpoint()] }, { env });
    expect(via).toMatchObject({ status: 'ok', evidence: { proxy: `http://${hostPort}`, proxySource: 'env HTTPS_PROXY' } });
    expect(JSON.stringify(via)).not.toContain('s3cret');
    const before = guarded.seen.length;
    const [direct] = await runOnce({ endpoints: [endpoint()] }, { env: { ...env, NO_PROXY: 'example.com,localhost' } });
    expect(direct!.status).toBe('ok');
    expect(direct!.evidence.proxy).toBeUndefined();
    const [opted] = await runOnce({ endpoints: [{ ...endpoint(), useProxy: false }] }, { env });
    expect(opted!.evidence.proxy).toBeUndefined();
    expect(guarded.seen.length).toBe(before);
  });

  it('a proxy that does not answer → proxy_unreachable; one that cannot reach the target → proxy_refused; both PLATFORM_UNREACHABLE', async () => {
    const dead = await closedPort();
    const [unreachable] = await runOnce({ endpoints: [endpoint()], proxy: { mode: 'config', url: `http://127.0.0.1:${dead}` } });
    expect(unreachable).toMatchObject({ status: 'fail', reason: 'proxy_unreachable', evidence: { proxyReason: 'tcp_refused', proxy: `http://127.0.0.1:${dead}` } });
    expect(rules(unreachable!)).toEqual({ code: 'PLATFORM_UNREACHABLE', severity: 'critical' });
    const [refused] = await runOnce({ endpoints: [{ ...endpoint(), url: `https://localhost:${dead}/` }], proxy: { mode: 'config', url: proxyOf(open) } });
    expect(refused).toMatchObject({ status: 'fail', reason: 'proxy_refused', evidence: { proxyStatus: 502 } });
    expect(rules(refused!)).toEqual({ code: 'PLATFORM_UNREACHABLE', severity: 'critical' });
  });
});

describe('NO_PROXY matching', () => {
  it('matches "*", names with their subdomains, suffixes, IPs, CIDR ranges and host:port', () => {
    expect(bypassesProxy('anything', 443, ['*'])).toBe(true);
    expect(bypassesProxy('hsa.gov.cn', 443, ['hsa.gov.cn'])).toBe(true);
    expect(bypassesProxy('fsi.hsa.gov.cn', 443, ['hsa.gov.cn'])).toBe(true);
    expect(bypassesProxy('fsi.hsa.gov.cn', 443, ['.gov.cn'])).toBe(true);
    expect(bypassesProxy('xhsa.gov.cn', 443, ['hsa.gov.cn'])).toBe(false);
    expect(bypassesProxy('10.44.1.2', 8080, ['10.44.0.0/16'])).toBe(true);
    expect(bypassesProxy('10.45.1.2', 8080, ['10.44.0.0/16'])).toBe(false);
    expect(bypassesProxy('192.168.1.5', 8080, ['192.168.1.5:8080'])).toBe(true);
    expect(bypassesProxy('192.168.1.5', 443, ['192.168.1.5:8080'])).toBe(false);
    expect(bypassesProxy('LOCALHOST', 1, [' localhost '])).toBe(true);
    expect(bypassesProxy('example.org', 1, [''])).toBe(false);
  });
});
