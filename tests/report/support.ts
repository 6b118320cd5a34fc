import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinPlugins } from '../../agent/checks/all.js';
import { buildConfig, type GuardpostConfig } from '../../agent/core/config/load.js';
import { FaultCatalogue } from '../../agent/core/faults/catalogue.js';
import { createLogger } from '../../agent/core/logging/index.js';
import { Agent } from '../../agent/core/runtime/agent.js';
import { currentPlatform } from '../../agent/platform/index.js';
import { SIM_SOURCES, type SimClock } from '../../agent/report/test-support/month-sim.js';

/** A real agent (engine, state store, history, roll-ups) on a temp state directory and a controllable clock. */
export const SITE = { fixmedins_code: 'P44010600123', fixmedins_name: '示例大药房（天河店）', mdtrtarea_admvs: '440106', terminalId: 'POS-01' };

export async function tempRoot(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'gp-report-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export function simConfig(root: string): GuardpostConfig {
  return buildConfig({ site: SITE, checks: {}, storage: { dir: join(root, 'state') }, logging: { file: join(root, 'agent.log') }, web: { enabled: false } }, 'test', {
    plugins: builtinPlugins,
    platform: currentPlatform(),
    faultCodes: new FaultCatalogue(builtinPlugins).codes(),
    env: {},
  });
}

export function startSimAgent(config: GuardpostConfig, clock: SimClock): Promise<Agent> {
  const logger = createLogger({ level: 'error', file: join(config.storage.dir, '..', 'agent.log'), maxSizeMB: 5, maxFiles: 1, stdout: false });
  // A long flush interval: the test decides when things are written (close, month change), not a timer.
  return Agent.start({ config, plugins: builtinPlugins, platform: currentPlatform(), logger, version: '9.9.9-test', now: clock.now, historyFlushMs: 3_600_000, sources: SIM_SOURCES });
}
