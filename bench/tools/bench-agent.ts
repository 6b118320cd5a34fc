/** Bench tool: a real in-process agent with its desk tunnel, and a result source the bench drives. */
import { join } from 'node:path';
import { builtinPlugins } from '../../agent/checks/all.js';
import type { ProbeResult } from '../../agent/core/checks/result.js';
import { buildConfig } from '../../agent/core/config/load.js';
import type { DeskConfig } from '../../agent/core/config/schema.js';
import { FaultCatalogue } from '../../agent/core/faults/catalogue.js';
import { createLogger } from '../../agent/core/logging/index.js';
import { Agent } from '../../agent/core/runtime/agent.js';
import { currentPlatform } from '../../agent/platform/index.js';
import { DeskTunnel, type TunnelTiming } from '../../agent/tunnel/tunnel.js';

export interface BenchAgent {
  agent: Agent;
  tunnel: DeskTunnel;
  setFailing(subjects: string[]): Promise<void>;
  stop(): Promise<void>;
}

export async function startBenchAgent(o: { dir: string; id: string; desk: DeskConfig; outbox?: { maxEvents: number; maxBytes: number }; timing?: Partial<TunnelTiming> }): Promise<BenchAgent> {
  const platform = currentPlatform();
  const config = buildConfig(
    {
      site: { fixmedins_code: 'P44010600123', fixmedins_name: 'bench', mdtrtarea_admvs: '440106', terminalId: 'BENCH' },
      agent: { id: o.id },
      checks: {},
      desk: o.desk,
      storage: { dir: join(o.dir, 'state'), ...(o.outbox ? { outbox: o.outbox } : {}) },
      logging: { file: join(o.dir, 'agent.log') },
    },
    'bench',
    { plugins: builtinPlugins, platform, faultCodes: new FaultCatalogue(builtinPlugins).codes(), env: {} },
  );
  const logger = createLogger({ level: 'warn', file: join(o.dir, 'agent.log'), maxSizeMB: 20, maxFiles: 2, stdout: false });
  const tunnel = new DeskTunnel({ config, version: 'bench', logger, env: {}, timing: { backoffBaseMs: 20, backoffCapMs: 200, ...o.timing } });
  const source = { id: 'bench', raiseAfter: 1, clearAfter: 1, rules: (r: ProbeResult) => (r.reason === 'broken' ? { code: 'READER_NO_RESPONSE', severity: 'major' as const } : null) };
  const agent = await Agent.start({ config, plugins: builtinPlugins, platform, logger, version: 'bench', sources: [...tunnel.sources, source] });
  tunnel.start(agent);
  return {
    agent,
    tunnel,
    setFailing: (subjects) => {
      const time = new Date().toISOString();
      return agent.report(
        'bench',
        subjects.map((subject) => ({ status: 'fail', reason: 'broken', subject, message: { zh: '读卡器无响应', en: 'reader does not answer' }, evidence: { port: 'COM3', timeoutMs: 3000 }, time, durationMs: 3000 })),
      );
    },
    async stop() {
      await tunnel.stop();
      await agent.stop(1000);
    },
  };
}
