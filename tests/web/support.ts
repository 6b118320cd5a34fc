import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinPlugins } from '../../agent/checks/all.js';
import type { CheckPlugin } from '../../agent/core/checks/plugin.js';
import { buildConfig, type GuardpostConfig } from '../../agent/core/config/load.js';
import { FaultCatalogue } from '../../agent/core/faults/catalogue.js';
import { createLogger } from '../../agent/core/logging/index.js';
import { Agent } from '../../agent/core/runtime/agent.js';
import type { EngineCheck } from '../../agent/core/faults/engine.js';
import { currentPlatform } from '../../agent/platform/index.js';
import { ConsentBroker } from '../../agent/web/consent-broker.js';
import type { PageLogger } from '../../agent/web/context.js';
import { buildLocalApi, checkTitles, startLocalApi, type LocalApi } from '../../agent/web/local-api.js';

/** Real agents (real checks on temp dirs) behind real page servers, for the web tests. */

export const SITE = { fixmedins_code: 'P44010600123', fixmedins_name: '示例大药房（天河店）', mdtrtarea_admvs: '440106', terminalId: 'POS-01' };

export interface TestAgent {
  agent: Agent;
  config: GuardpostConfig;
  dir: string;
}

/** Logs what the page logs, so tests can see refusals and decisions. */
export class RecordingLogger implements PageLogger {
  readonly lines: Array<{ level: string; obj: object; msg: string }> = [];
  info(obj: object, msg: string): void {
    this.lines.push({ level: 'info', obj, msg });
  }
  warn(obj: object, msg: string): void {
    this.lines.push({ level: 'warn', obj, msg });
  }
}

export class Fixture {
  private readonly agents: Agent[] = [];
  private readonly servers: LocalApi[] = [];
  private readonly dirs: string[] = [];

  tempDir(prefix = 'gp-web-'): string {
    const d = mkdtempSync(join(tmpdir(), prefix));
    this.dirs.push(d);
    return d;
  }

  async agent(checks: Record<string, unknown>, opts: { plugins?: CheckPlugin[]; sources?: EngineCheck[]; extra?: Record<string, unknown>; env?: NodeJS.ProcessEnv } = {}): Promise<TestAgent> {
    const plugins = opts.plugins ?? builtinPlugins;
    const dir = this.tempDir('gp-web-agent-');
    const config = buildConfig(
      { site: SITE, checks, storage: { dir: join(dir, 'state') }, logging: { file: join(dir, 'agent.log') }, ...opts.extra },
      'test',
      { plugins, platform: currentPlatform(), faultCodes: new FaultCatalogue(plugins).codes(), env: opts.env ?? {} },
    );
    const logger = createLogger({ level: 'warn', file: join(dir, 'agent.log'), maxSizeMB: 5, maxFiles: 2, stdout: false });
    const agent = await Agent.start({ config, plugins, platform: currentPlatform(), logger, version: '9.9.9-test', historyFlushMs: 100, sources: opts.sources ?? [] });
    this.agents.push(agent);
    return { agent, config, dir };
  }

  async page(t: TestAgent, opts: { consent?: ConsentBroker; logger?: PageLogger; port?: number; live?: { periodMs?: number } } = {}): Promise<LocalApi> {
    const api = await startLocalApi({
      host: '127.0.0.1',
      port: opts.port ?? 0,
      agent: t.agent,
      consent: opts.consent ?? new ConsentBroker(),
      checkTitles: checkTitles(t.config.checks),
      ...(opts.logger ? { logger: opts.logger } : {}),
      ...(opts.live ? { live: opts.live } : {}),
    });
    this.servers.push(api);
    return api;
  }

  /** Not listening: for fastify inject. The allow-lists assume port 8620. */
  async injectable(t: TestAgent, opts: { consent?: ConsentBroker; logger?: PageLogger } = {}) {
    const built = await buildLocalApi({
      host: '127.0.0.1',
      port: 8620,
      agent: t.agent,
      consent: opts.consent ?? new ConsentBroker(),
      checkTitles: checkTitles(t.config.checks),
      ...(opts.logger ? { logger: opts.logger } : {}),
    });
    this.servers.push({ ...built, url: 'http://127.0.0.1:8620/', port: 8620 });
    return built;
  }

  async close(): Promise<void> {
    await Promise.all(this.servers.splice(0).map((s) => s.close().catch(() => undefined)));
    await Promise.all(this.agents.splice(0).map((a) => a.stop(500)));
    for (const d of this.dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  }
}

/** The headers a same-origin POST from the page carries. */
export function pageHeaders(token: string, host = '127.0.0.1:8620'): Record<string, string> {
  return { host, origin: `http://${host}`, 'x-guardpost-csrf': token, 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' };
}

export async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
