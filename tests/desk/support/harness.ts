import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { builtinPlugins } from '../../../agent/checks/all.js';
import type { ProbeResult } from '../../../agent/core/checks/result.js';
import { buildConfig } from '../../../agent/core/config/load.js';
import type { DeskConfig as AgentDeskConfig } from '../../../agent/core/config/schema.js';
import type { EngineCheck } from '../../../agent/core/faults/engine.js';
import { FaultCatalogue } from '../../../agent/core/faults/catalogue.js';
import { createLogger } from '../../../agent/core/logging/index.js';
import { Agent } from '../../../agent/core/runtime/agent.js';
import type { Severity } from '../../../agent/core/severity.js';
import { DeskTunnel, type DeskTunnelOptions } from '../../../agent/tunnel/tunnel.js';
import { currentPlatform } from '../../../agent/platform/index.js';
import type { DeskConfig } from '../../../desk/config.js';
import { Desk } from '../../../desk/desk.js';
import { initDesk, issueAgent } from '../../../desk/init.js';

/** Real desks and agents on 127.0.0.1 for the desk tests: certificates from `guardpost desk init`'s code, real SQLite. */

export const SITE = { fixmedins_code: 'P44010600123', fixmedins_name: '示例大药房', mdtrtarea_admvs: '440106', terminalId: 'POS-01' };
const platform = currentPlatform();
export const root = join(import.meta.dirname, '..', '..', '..');

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

export interface TestDesk {
  dir: string;
  port: number;
  apiPort: number;
}

/** A desk directory on fixed loopback ports (so a restarted desk comes back on the same address). */
export async function initTestDesk(): Promise<TestDesk> {
  const dir = tmp('gp-desk-');
  const port = await freePort();
  const apiPort = await freePort();
  await initDesk({ dir, names: ['localhost'], agentsPort: port, apiPort, agentsHost: '127.0.0.1' });
  const file = join(dir, 'desk.json');
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  doc.log = { file: 'desk.log', level: 'debug', stdout: false };
  writeFileSync(file, JSON.stringify(doc, null, 2));
  return { dir, port, apiPort };
}

export function startDesk(d: TestDesk, override?: (c: DeskConfig) => DeskConfig): Promise<Desk> {
  return Desk.start({ dir: d.dir, ...(override ? { override } : {}) });
}

/** The desk in its own process, so it can be SIGKILLed. Resolves when it listens. */
export async function spawnDesk(d: TestDesk): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'tests/desk/support/desk-process.ts'), d.dir], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('READY')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`desk process exited (${code}) before it was ready`)));
  });
  return child;
}

/** The agent's desk section for a certificate issued by this desk (url on the test port). */
export async function agentDeskConfig(d: TestDesk, agentId: string, extra: Partial<AgentDeskConfig> = {}): Promise<AgentDeskConfig> {
  const issued = await issueAgent(d.dir, agentId, join(d.dir, 'agents', agentId));
  return { ...issued, url: `wss://localhost:${d.port}/agent`, ...extra };
}

/** Fast timings: the protocol is the same, only the clocks are shorter. */
export const FAST = { backoffBaseMs: 20, backoffCapMs: 300, pingMinMs: 1000, pingMaxMs: 1500, helloTimeoutMs: 3000, connectTimeoutMs: 3000, pokeMs: 100 };

export interface TestAgent {
  agent: Agent;
  tunnel: DeskTunnel;
  dir: string;
  id: string;
  /** Makes exactly these subjects fail (at the given grade); all others of the test source recover. */
  setFailing(subjects: Iterable<string>, severity?: Severity): Promise<void>;
  stop(): Promise<void>;
}

export const TEST_SOURCE = 'probe';

export function testSource(): EngineCheck {
  return { id: TEST_SOURCE, raiseAfter: 1, clearAfter: 1, rules: (r) => (r.reason === 'broken' ? { code: 'TEST_FAULT', severity: r.evidence.severity as Severity } : null) };
}

export async function startAgent(opts: {
  desk: AgentDeskConfig;
  id?: string;
  dir?: string;
  tunnel?: Partial<DeskTunnelOptions>;
  outbox?: { maxEvents: number; maxBytes: number };
  /** Environment for secret references in the config (e.g. the proxy password). */
  configEnv?: NodeJS.ProcessEnv;
}): Promise<TestAgent> {
  const dir = opts.dir ?? tmp('gp-agent-');
  const id = opts.id ?? 'P44010600123-POS-01';
  const config = buildConfig(
    {
      site: SITE,
      agent: { id },
      checks: {},
      desk: JSON.parse(JSON.stringify(opts.desk)) as unknown, // the loader resolves secrets in place
      storage: { dir: join(dir, 'state'), ...(opts.outbox ? { outbox: opts.outbox } : {}) },
      logging: { file: join(dir, 'agent.log') },
    },
    'test',
    { plugins: builtinPlugins, platform, faultCodes: new FaultCatalogue(builtinPlugins).codes(), env: opts.configEnv ?? {} },
  );
  const logger = createLogger({ level: 'debug', file: join(dir, 'agent.log'), maxSizeMB: 20, maxFiles: 2, stdout: false });
  const tunnel = new DeskTunnel({ config, version: 'test', logger, env: {}, ...opts.tunnel, timing: { ...FAST, ...opts.tunnel?.timing } });
  const agent = await Agent.start({ config, plugins: builtinPlugins, platform, logger, version: 'test', historyFlushMs: 100, sources: [...tunnel.sources, testSource()] });
  tunnel.start(agent);
  return {
    agent,
    tunnel,
    dir,
    id,
    async setFailing(subjects, severity = 'major') {
      const now = new Date().toISOString();
      const results: ProbeResult[] = [...subjects].map((subject) => ({
        status: 'fail',
        reason: 'broken',
        subject,
        message: { zh: `${subject} 坏了`, en: `${subject} is broken` },
        evidence: { severity },
        time: now,
        durationMs: 0,
      }));
      await agent.report(TEST_SOURCE, results);
    },
    async stop() {
      await tunnel.stop();
      await agent.stop(500);
    },
  };
}

export async function waitFor<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000, everyMs = 25): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The desk database read directly (a second connection; WAL lets it read while the desk writes). */
export function deskEvents(d: TestDesk, agentId: string): { id: number; seq: number; kind: string; fault_id: string }[] {
  const db = new Database(join(d.dir, 'desk.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare(`SELECT id, seq, kind, fault_id FROM events WHERE agent_id = ? ORDER BY id`).all(agentId) as never;
  } finally {
    db.close();
  }
}
