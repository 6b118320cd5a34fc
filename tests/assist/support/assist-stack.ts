import { join } from 'node:path';
import { builtinPlugins } from '../../../agent/checks/all.js';
import type { AssistRuntime } from '../../../agent/assist/runtime.js';
import { startAssistRuntime } from '../../../agent/assist/runtime.js';
import type { ProbeResult } from '../../../agent/core/checks/result.js';
import { buildConfig } from '../../../agent/core/config/load.js';
import type { DeskConfig as AgentDeskConfig } from '../../../agent/core/config/schema.js';
import { FaultCatalogue } from '../../../agent/core/faults/catalogue.js';
import { createLogger } from '../../../agent/core/logging/index.js';
import { Agent } from '../../../agent/core/runtime/agent.js';
import { currentPlatform } from '../../../agent/platform/index.js';
import { DeskTunnel } from '../../../agent/tunnel/tunnel.js';
import { ConsentBroker } from '../../../agent/web/consent-broker.js';
import { FAST, SITE, TEST_SOURCE, testSource, tmp } from '../../desk/support/harness.js';

/**
 * The real agent with remote assistance on, as `guardpost run` wires it (agent/cli/run-command.ts): its audit log,
 * session layer, consent broker, every kind, and the tunnel to a real desk. The operator answers through the same
 * ConsentBroker the page and `guardpost assist` use; `consentPaths` says which of those is reachable.
 */
export interface AssistStackAgent {
  id: string;
  dir: string;
  agent: Agent;
  tunnel: DeskTunnel;
  assist: AssistRuntime;
  consent: ConsentBroker;
  /** The operator's answer on the terminal (as `guardpost assist approve|deny|end` gives it). */
  operator: { approve(session: string): void; deny(session: string, reason?: string): void; end(session: string): void };
  /** Makes one subject of the test source fail (a major fault), or recover. */
  setFailing(subject: string | null): Promise<void>;
  /** Stops like SIGTERM does: sessions end first (recorded so), then the tunnel and the agent. */
  stop(): Promise<void>;
}

export async function startAssistAgent(o: { desk: AgentDeskConfig; id: string; assist: Record<string, unknown>; dir?: string }): Promise<AssistStackAgent> {
  const dir = o.dir ?? tmp('gp-assist-agent-');
  const platform = currentPlatform();
  const config = buildConfig(
    {
      site: SITE,
      agent: { id: o.id },
      checks: {},
      desk: JSON.parse(JSON.stringify(o.desk)) as unknown,
      storage: { dir: join(dir, 'state') },
      logging: { file: join(dir, 'agent.log') },
      assist: { enabled: true, ...o.assist },
    },
    'test',
    { plugins: builtinPlugins, platform, faultCodes: new FaultCatalogue(builtinPlugins).codes(), env: {} },
  );
  const logger = createLogger({ level: 'debug', file: join(dir, 'agent.log'), maxSizeMB: 20, maxFiles: 2, stdout: false });
  const consent = new ConsentBroker({ maxLive: config.assist.maxConcurrentSessions });
  let agent: Agent | undefined;
  const assist = await startAssistRuntime({ config, logger, consent, consentPaths: () => ({ page: false, cli: true }), agent: () => agent });
  const tunnel = new DeskTunnel({ config, version: 'test', logger, env: {}, assist: assist.setup, timing: FAST });
  agent = await Agent.start({ config, plugins: builtinPlugins, platform, logger, version: 'test', historyFlushMs: 100, sources: [...tunnel.sources, testSource()] });
  tunnel.start(agent);
  const running = agent;
  return {
    id: o.id,
    dir,
    agent: running,
    tunnel,
    assist,
    consent,
    operator: {
      approve: (s) => void consent.approve(s, 'local-cli'),
      deny: (s, reason) => void consent.deny(s, 'local-cli', reason),
      end: (s) => void consent.end(s, 'local-cli'),
    },
    async setFailing(subject) {
      const now = new Date().toISOString();
      const results: ProbeResult[] = subject
        ? [{ status: 'fail', reason: 'broken', subject, message: { zh: `${subject} 坏了`, en: `${subject} is broken` }, evidence: { severity: 'major' }, time: now, durationMs: 0 }]
        : [];
      await running.report(TEST_SOURCE, results);
    },
    async stop() {
      await assist.close();
      consent.close();
      await tunnel.stop();
      await running.stop(500);
    },
  };
}
