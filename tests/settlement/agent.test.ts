import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { builtinPlugins } from '../../agent/checks/all.js';
import { buildConfig } from '../../agent/core/config/load.js';
import { FaultCatalogue } from '../../agent/core/faults/catalogue.js';
import { createLogger } from '../../agent/core/logging/index.js';
import { Agent } from '../../agent/core/runtime/agent.js';
import { currentPlatform } from '../../agent/platform/index.js';
import { endpointStats } from '../../agent/checks/settlement/stats.js';
import { makeTestPki, type TestPki } from './support/pki.js';
import { closedPort, connectProxy, httpServer, httpsServer, type ProxyServer, type Running } from './support/servers.js';
import { SITE } from './support/run.js';

const platform = currentPlatform();
let pki: TestPki;
const servers: Running[] = [];
const agents: Agent[] = [];
let proxy: ProxyServer;
const posted: Record<string, any>[] = [];

beforeAll(async () => {
  pki = makeTestPki();
  proxy = await connectProxy('guardpost:proxy-secret-123');
  servers.push(proxy);
});
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.stop(500)));
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function startAgent(checks: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'gp-settlement-agent-'));
  const config = buildConfig({ site: SITE, checks, storage: { dir: join(dir, 'state') }, logging: { file: join(dir, 'agent.log') } }, 'test', {
    plugins: builtinPlugins,
    platform,
    faultCodes: new FaultCatalogue(builtinPlugins).codes(),
    env,
  });
  const logger = createLogger({ level: 'debug', file: join(dir, 'agent.log'), maxSizeMB: 5, maxFiles: 2, stdout: false });
  const agent = await Agent.start({ config, plugins: builtinPlugins, platform, logger, version: 'test', historyFlushMs: 50 });
  agents.push(agent);
  return { agent, dir };
}

describe('settlement check in the real agent', () => {
  it('a TCP fault of a host mutes the TLS and HTTP faults of the same host; another host\'s stay active', async () => {
    const failing = await httpServer((_req, res) => res.writeHead(500).end());
    const untrusted = await httpsServer(pki.unknownCa, pki.key);
    servers.push(failing, untrusted);
    const dead = await closedPort();
    const { agent } = await startAgent({
      settlement: {
        intervalSeconds: 3600,
        endpoints: [
          { name: 'front-end-port', kind: 'tcp', host: 'localhost', port: dead },
          { name: 'api', url: `http://localhost:${failing.port}/`, expectStatus: [200] },
          { name: 'api-tls', url: `https://localhost:${untrusted.port}/`, trust: { mode: 'caFile', caFile: pki.caFile }, checkCertificates: false },
          { name: 'other-host', url: `http://127.0.0.1:${failing.port}/`, expectStatus: [200] },
        ],
      },
    });
    await agent.runNow(['settlement']);
    const faults = agent.status().faults;
    const by = (subject: string) => faults.find((f) => f.subject === subject)!;
    expect(by('front-end-port')).toMatchObject({ code: 'PLATFORM_UNREACHABLE', severity: 'critical', labels: { host: 'localhost' }, inhibitedBy: [] });
    expect(by('api')).toMatchObject({ code: 'PLATFORM_HTTP_ERROR', inhibitedBy: [by('front-end-port').key] });
    expect(by('api-tls')).toMatchObject({ code: 'PLATFORM_TLS_FAILED', inhibitedBy: [by('front-end-port').key] });
    expect(by('other-host')).toMatchObject({ code: 'PLATFORM_HTTP_ERROR', labels: { host: '127.0.0.1' }, inhibitedBy: [] });
  });

  it('gives the probe the site config: the 9001 envelope carries the institution; phases land in the history; no secret in logs or state', async () => {
    const platformServer = await httpServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      req.on('end', () => {
        if (req.method === 'POST') posted.push(JSON.parse(raw) as Record<string, any>);
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"infcode":0,"output":{"signinoutb":{"sign_no":"SIGNNO-FROM-PLATFORM"}}}');
      });
    });
    servers.push(platformServer);
    const env = { GP_PROXY_PW: 'proxy-secret-123', GP_AK: 'AK-secret-456', GP_SK: 'SK-secret-789' };
    const { agent, dir } = await startAgent(
      {
        settlement: {
          intervalSeconds: 3600,
          endpoints: [{ name: 'platform', url: platformServer.url }],
          proxy: { mode: 'config', url: proxy.url.replace(/\/$/, ''), username: 'guardpost', password: { env: 'GP_PROXY_PW' } },
          signin: { enabled: true, url: `${platformServer.url}fsi/9001`, apiName: 'x', apiVersion: '1', accessKey: { env: 'GP_AK' }, secretKey: { env: 'GP_SK' } },
        },
      },
      env,
    );
    await agent.runNow(['settlement']);
    expect(posted.at(-1)).toMatchObject({ infno: '9001', fixmedins_code: SITE.fixmedins_code, mdtrtarea_admvs: SITE.mdtrtarea_admvs, opter: SITE.terminalId });
    expect(agent.status().faults.filter((f) => f.checkId === 'settlement')).toEqual([]);

    const recent = agent.history.get('settlement').recent;
    const platformResult = recent.find((r) => r.subject === 'platform')!;
    expect(Object.keys(platformResult.phases!)).toEqual(['connect', 'proxy', 'send', 'firstByte', 'body']);
    const [stats] = endpointStats(recent).filter((s) => s.subject === 'platform');
    expect(stats).toMatchObject({ probes: 1, availabilityPercent: 100 });
    expect(stats!.phasesMs.proxy!.p50).toBeGreaterThanOrEqual(0);

    await agent.stop(500);
    const outboxDir = join(dir, 'state/outbox'); // the outbox journal's segments, once anything was recorded
    const journal = existsSync(outboxDir) ? readdirSync(outboxDir).map((f) => `state/outbox/${f}`) : [];
    const written = ['agent.log', 'state/state.json', 'state/history.json', ...journal].map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
    expect(written).toContain('platform');
    for (const secret of Object.values(env)) expect(written).not.toContain(secret);
    expect(written).not.toContain('SIGNNO-FROM-PLATFORM');
  });
});
