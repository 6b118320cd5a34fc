import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plugin } from '../../agent/checks/certserver/index.js';
import { builtinPlugins } from '../../agent/checks/all.js';
import { testContext } from '../../agent/checks/shared/testing.js';
import { checkConfigWithDefaults } from '../../agent/core/config/check-config.js';
import { exampleConfig } from '../../agent/core/config/example.js';
import { currentPlatform } from '../../agent/platform/index.js';
import { makeTestPki, type TestPki } from './support/pki.js';
import { closedPort, httpsServer, type Running } from './support/servers.js';

let pki: TestPki;
let server: Running;
let delayMs = 0;
beforeAll(async () => {
  pki = makeTestPki();
  // A GDCA-style authentication server: health, certificate validation answering result 0, signature verification failing.
  server = await httpsServer(pki.valid, pki.key, (req, res) => {
    const answer = () => {
      if (req.url === '/health') return void res.writeHead(200).end('UP');
      if (req.url === '/api/cert/validate') return void res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"result":0,"message":"证书有效"}');
      res.writeHead(500, { 'Content-Type': 'application/json' }).end('{"result":-1,"message":"验签失败"}');
    };
    req.resume();
    req.on('end', () => (delayMs ? setTimeout(answer, delayMs) : answer()));
  });
});
afterAll(() => server.close());

const trust = () => ({ mode: 'caFile', caFile: pki.caFile });
function config(service: Record<string, unknown>, functions: Record<string, unknown>[] = []) {
  return checkConfigWithDefaults(plugin, { service: { name: 'auth-service', trust: trust(), ...service }, functions });
}
const run = (cfg: ReturnType<typeof config>) => plugin.createProbe(cfg, { ...testContext(), env: {} } as never).run(new AbortController().signal);
const base = () => `https://localhost:${server.port}`;

describe('certificate-authentication server profile', () => {
  it('service up, one function working and one failing → AUTH_SERVICE_DEGRADED major for that function only', async () => {
    const cfg = config({ url: `${base()}/health`, expectStatus: [200] }, [
      { name: 'cert-validation', url: `${base()}/api/cert/validate`, method: 'POST', body: '{}', expectStatus: [200], bodyMatch: '"result":0', trust: trust() },
      { name: 'signature-verification', url: `${base()}/api/sign/verify`, method: 'POST', body: '{}', expectStatus: [200], trust: trust() },
    ]);
    const [service, validation, verification] = await run(cfg);
    expect(service).toMatchObject({ status: 'ok', subject: 'auth-service', labels: { role: 'service', host: 'localhost' } });
    expect(Object.keys(service!.phases!)).toEqual(['dns', 'connect', 'tls', 'send', 'firstByte', 'body']);
    expect(validation).toMatchObject({ status: 'ok', subject: 'cert-validation' });
    expect(verification).toMatchObject({ status: 'fail', reason: 'function_failed', labels: { role: 'function' }, evidence: { probeReason: 'http_status', status: 500 } });
    expect(verification!.message.zh).toContain('安全认证服务功能异常');
    expect(plugin.rules(verification!, cfg)).toEqual({ code: 'AUTH_SERVICE_DEGRADED', severity: 'major' });
  });

  it('the service port not answering → service_down → AUTH_SERVICE_DOWN critical (安全认证支撑系统停止服务)', async () => {
    const port = await closedPort();
    const cfg = config({ kind: 'tcp', host: '127.0.0.1', port });
    const [service] = await run(cfg);
    expect(service).toMatchObject({ status: 'fail', reason: 'service_down', evidence: { probeReason: 'tcp_refused' } });
    expect(service!.message.zh).toContain('安全认证支撑系统停止服务');
    expect(plugin.rules(service!, cfg)).toEqual({ code: 'AUTH_SERVICE_DOWN', severity: 'critical' });
    expect(plugin.faults.find((f) => f.code === 'AUTH_SERVICE_DOWN')!.title.zh).toBe('安全认证支撑系统停止服务');
  });

  it('slow answers, slowAfter in a row → slow → AUTH_SERVICE_SLOW minor', async () => {
    delayMs = 80;
    try {
      const cfg = config({ url: `${base()}/health`, slowSeconds: 0.05, slowAfter: 1 });
      const [service] = await run(cfg);
      expect(service).toMatchObject({ status: 'fail', reason: 'slow' });
      expect(plugin.rules(service!, cfg)).toEqual({ code: 'AUTH_SERVICE_SLOW', severity: 'minor' });
    } finally {
      delayMs = 0;
    }
  });

  it('rejects a function named like the service', () => {
    const cfg = config({ url: `${base()}/health` }, [{ name: 'auth-service', url: `${base()}/x` }]);
    expect(() => plugin.createProbe(cfg, { ...testContext(), env: {} } as never)).toThrow(/checks\.test\.functions: the name "auth-service" is the service's/);
  });

  it('`guardpost config example --profile certserver` shows the certserver check from the plugin\'s example', () => {
    const doc = exampleConfig(builtinPlugins, currentPlatform(), 'certserver') as { checks: Record<string, any> };
    expect(doc.checks.certserver).toMatchObject({ service: { name: 'auth-service', url: 'https://127.0.0.1:8443/health' } });
    expect(doc.checks.certserver.functions.map((f: { name: string }) => f.name)).toEqual(['cert-validation', 'signature-verification']);
  });
});

describe('agent/checks/certserver/example-config.json', () => {
  it('is a valid certserver configuration: this check plus the cert (server certificates, published CRLs), token and host checks', async () => {
    const { readFileSync } = await import('node:fs');
    const { buildConfig } = await import('../../agent/core/config/load.js');
    const { FaultCatalogue } = await import('../../agent/core/faults/catalogue.js');
    const file = new URL('../../agent/checks/certserver/example-config.json', import.meta.url);
    const doc = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const cfg = buildConfig(doc, 'example-config.json', { plugins: builtinPlugins, platform: currentPlatform(), faultCodes: new FaultCatalogue(builtinPlugins).codes(), env: {} });
    expect(cfg.agent.profile).toBe('certserver');
    expect(Object.fromEntries(cfg.checks.map((c) => [c.id, c.type]))).toEqual({
      certserver: 'certserver',
      'cert-server': 'cert',
      'crl-published': 'cert',
      hsm: 'token',
      disk: 'disk',
      memory: 'memory',
      clock: 'clock',
      'backup-keystore': 'backup',
      'logs-authserver': 'logs',
    });
    const crl = cfg.checks.find((c) => c.id === 'crl-published')!.settings as { policy: { revocation: { crl: { urls: string[] } } } };
    expect(crl.policy.revocation.crl.urls.length).toBeGreaterThan(0);
    const auth = cfg.checks.find((c) => c.id === 'certserver')!;
    expect(() => auth.plugin.createProbe(auth.settings, { ...testContext(), checkId: 'certserver', env: {} } as never)).toThrow(/auth-server-ca\.pem/); // the CA file is this server's, not the test machine's
  });
});
