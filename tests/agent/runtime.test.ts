import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Type } from '../../agent/core/schema/type.js';
import { afterEach, describe, expect, it } from 'vitest';
import { builtinPlugins } from '../../agent/checks/all.js';
import type { CheckPlugin } from '../../agent/core/checks/plugin.js';
import { buildConfig } from '../../agent/core/config/load.js';
import { FaultCatalogue } from '../../agent/core/faults/catalogue.js';
import { createLogger } from '../../agent/core/logging/index.js';
import type { EngineCheck } from '../../agent/core/faults/engine.js';
import type { FaultTransition } from '../../agent/core/faults/types.js';
import { Agent } from '../../agent/core/runtime/agent.js';
import { readStoredState } from '../../agent/core/store/read-stored.js';
import type { AgentState } from '../../agent/core/store/types.js';
import { currentPlatform } from '../../agent/platform/index.js';

const platform = currentPlatform();
const SITE = { fixmedins_code: 'P44010600123', fixmedins_name: '示例大药房', mdtrtarea_admvs: '440106', terminalId: 'POS-01' };
const running: Agent[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((a) => a.stop(500)));
});

async function startAgent(
  checks: Record<string, unknown>,
  plugins: CheckPlugin[] = builtinPlugins,
  dir = mkdtempSync(join(tmpdir(), 'gp-agent-')),
  sources: EngineCheck[] = [],
) {
  const config = buildConfig({ site: SITE, checks, storage: { dir: join(dir, 'state') }, logging: { file: join(dir, 'agent.log') } }, 'test', {
    plugins,
    platform,
    faultCodes: new FaultCatalogue(plugins).codes(),
    env: {},
  });
  const logger = createLogger({ level: 'debug', file: join(dir, 'agent.log'), maxSizeMB: 5, maxFiles: 2, stdout: false });
  const agent = await Agent.start({ config, plugins, platform, logger, version: 'test', historyFlushMs: 100, sources });
  running.push(agent);
  return { agent, dir, stateFile: join(dir, 'state', 'state.json') };
}

/** What the state directory holds on disk (checkpoint and outbox journal), read without changing it. */
const readState = async (file: string): Promise<AgentState> => (await readStoredState(dirname(file))).state;

describe('agent runtime', () => {
  it('a failing check becomes a durable fault with a sequenced transition, and resolves when fixed', async () => {
    const backups = mkdtempSync(join(tmpdir(), 'gp-backups-'));
    const { agent, stateFile } = await startAgent({ backup: { directory: backups, pattern: '*.bak', raiseAfter: 1, clearAfter: 1, intervalSeconds: 3600 } });
    await agent.runNow(['backup']);
    const open = agent.status().faults.find((f) => f.code === 'BACKUP_MISSING');
    expect(open).toMatchObject({ severity: 'critical', checkId: 'backup', state: 'open' });
    expect(agent.status().overall).toBe('down');

    const onDisk = (await readState(stateFile));
    expect(onDisk.faults[open!.key]?.code).toBe('BACKUP_MISSING');
    const opened = onDisk.outbox.find((t) => t.kind === 'opened' && t.fault.code === 'BACKUP_MISSING')!;
    expect(opened.seq).toBeGreaterThan(0);

    writeFileSync(join(backups, 'his-20261122.bak'), 'backup data');
    await agent.runNow(['backup']);
    expect(agent.status().faults.map((f) => f.code)).not.toContain('BACKUP_MISSING');
    const after = (await readState(stateFile));
    const resolved = after.outbox.find((t) => t.kind === 'resolved' && t.fault.key === open!.key)!;
    expect(resolved.seq).toBeGreaterThan(opened.seq);
    expect(resolved.detectedAt).toBe(opened.detectedAt);
    expect(after.faults[open!.key]).toBeUndefined();
  });

  it('faults survive a restart and resolve with hysteresis afterwards', async () => {
    const backups = mkdtempSync(join(tmpdir(), 'gp-backups-'));
    const dir = mkdtempSync(join(tmpdir(), 'gp-agent-'));
    const checks = { backup: { directory: backups, raiseAfter: 1, clearAfter: 2, intervalSeconds: 3600 } };
    const first = await startAgent(checks, builtinPlugins, dir);
    await first.agent.runNow(['backup']);
    const fault = first.agent.status().faults.find((f) => f.code === 'BACKUP_MISSING')!;
    await first.agent.stop();
    running.splice(running.indexOf(first.agent), 1);

    const second = await startAgent(checks, builtinPlugins, dir);
    expect(second.agent.status().faults.find((f) => f.code === 'BACKUP_MISSING')?.id).toBe(fault.id);
    writeFileSync(join(backups, 'x.bak'), 'data');
    await second.agent.runNow(['backup']);
    expect(second.agent.status().faults.some((f) => f.key === fault.key)).toBe(true); // clearAfter 2
    await second.agent.runNow(['backup']);
    expect(second.agent.status().faults.some((f) => f.key === fault.key)).toBe(false);
  });

  it('a corrupt state file is moved aside and raises STATE_RECOVERED; the agent runs on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gp-agent-'));
    const stateDir = join(dir, 'state');
    rmSync(stateDir, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(stateDir, { recursive: true }));
    writeFileSync(join(stateDir, 'state.json'), '{"version":1,"seq":12,"faults":{"x":');
    const { agent } = await startAgent({ clock: {} }, builtinPlugins, dir);
    const recovered = agent.status().faults.find((f) => f.code === 'STATE_RECOVERED');
    expect(recovered).toMatchObject({ checkId: 'agent', subject: 'state-file' });
    expect(readdirSync(stateDir).some((n) => n.startsWith('state.json.corrupt-'))).toBe(true);
    await agent.runNow(['clock']);
    expect(agent.status().checks.find((c) => c.id === 'clock')?.last?.[0]?.status).toBe('ok');
  });

  it('a state directory that cannot be written raises STORE_WRITE_FAILED and recovers when it can', async () => {
    const backups = mkdtempSync(join(tmpdir(), 'gp-backups-'));
    const { agent, dir, stateFile } = await startAgent({ backup: { directory: backups, raiseAfter: 1, clearAfter: 1, intervalSeconds: 3600 } });
    const stateDir = join(dir, 'state');
    rmSync(stateDir, { recursive: true, force: true });
    writeFileSync(stateDir, 'not a directory'); // the store cannot recreate its directory over a file
    await agent.runNow(['backup']); // opens BACKUP_MISSING: a transition that cannot be saved
    const codes = () => agent.status().faults.map((f) => f.code);
    expect(codes()).toEqual(expect.arrayContaining(['BACKUP_MISSING', 'STORE_WRITE_FAILED']));
    expect(agent.status().store.writeError?.failures).toBeGreaterThan(0);

    rmSync(stateDir);
    const deadline = Date.now() + 10_000;
    while (codes().includes('STORE_WRITE_FAILED') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      await agent.runNow(['backup']);
    }
    expect(codes()).not.toContain('STORE_WRITE_FAILED');
    // nothing that happened while the disk failed was lost
    const saved = (await readState(stateFile));
    expect(saved.outbox.some((t) => t.kind === 'opened' && t.fault.code === 'BACKUP_MISSING')).toBe(true);
    expect(saved.outbox.some((t) => t.kind === 'opened' && t.fault.code === 'STORE_WRITE_FAILED')).toBe(true);
  });

  it('stops within its grace period while one check hangs forever and an isolated one busy-loops', async () => {
    const hung: CheckPlugin = {
      ...builtinPlugins.find((p) => p.type === 'clock')!,
      type: 'hung',
      configSchema: Type.Object({}),
      faults: [],
      createProbe: () => ({ run: () => new Promise(() => undefined) }),
    };
    const busyFixture = (await import('../../agent/core/isolation/test-fixtures/busy-loop.js')).plugin;
    const busy: CheckPlugin = {
      ...busyFixture,
      isolated: true,
      configSchema: Type.Object({ pidFile: Type.String(), ms: Type.Number() }),
    };
    const dir = mkdtempSync(join(tmpdir(), 'gp-agent-'));
    const { agent, stateFile } = await startAgent(
      {
        hung: { timeoutSeconds: 30, intervalSeconds: 60 },
        'busy-loop': { pidFile: join(dir, 'busy.pid'), ms: 60_000, timeoutSeconds: 30, intervalSeconds: 60 },
        clock: {},
      },
      [...builtinPlugins, hung, busy],
      dir,
    );
    const deadline = Date.now() + 10_000;
    while (!existsSync(join(dir, 'busy.pid')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const pid = Number(readFileSync(join(dir, 'busy.pid'), 'utf8'));
    const started = Date.now();
    await agent.stop(1000);
    running.splice(running.indexOf(agent), 1);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(() => process.kill(pid, 0)).toThrow(); // the busy child is gone
    expect(JSON.parse(readFileSync(stateFile, 'utf8')).version).toBe(2); // state flushed and readable
  });

  it('announces results and stored transitions, and takes results from registered sources', async () => {
    const desk: EngineCheck = { id: 'desk', raiseAfter: 1, clearAfter: 1, rules: () => ({ code: 'CHECK_ERROR', severity: 'minor' }) };
    const dir = mkdtempSync(join(tmpdir(), 'gp-agent-'));
    const { agent } = await startAgent({ clock: {} }, builtinPlugins, dir, [desk]);
    const seen: string[] = [];
    const stored: FaultTransition[] = [];
    agent.events.on('results', (id) => seen.push(id));
    agent.events.on('transitions', (t) => stored.push(...t));
    await agent.runNow(['clock']);
    expect(seen).toContain('clock');
    const fail = { status: 'fail' as const, reason: 'unreachable', subject: 'desk', message: { zh: '', en: '' }, evidence: {}, time: new Date().toISOString(), durationMs: 0 };
    await agent.report('desk', [fail]);
    expect(stored.map((t) => `${t.kind}:${t.fault.checkId}`)).toEqual(['opened:desk']);
    expect(stored[0]!.seq).toBeGreaterThan(0);
    await expect(agent.report('nosuch', [fail])).rejects.toThrow(/unknown result source/);
    expect(agent.status().tunnel).toEqual({ state: 'disabled' });
    agent.setTunnelStatus(() => ({ state: 'connected', ackedSeq: 3 }));
    expect(agent.status().tunnel.state).toBe('connected');

    // a source's fault is not retired at restart as if its check had been removed
    await agent.stop();
    running.splice(running.indexOf(agent), 1);
    const again = await startAgent({ clock: {} }, builtinPlugins, dir, [desk]);
    expect(again.agent.status().faults.map((f) => f.checkId)).toContain('desk');
  });

  it('hands the site and the state directory to an isolated check in its own process', async () => {
    const echo = (await import('./fixtures/context-echo.js')).plugin;
    const dir = mkdtempSync(join(tmpdir(), 'gp-agent-'));
    const { agent } = await startAgent({ 'context-echo': {} }, [...builtinPlugins, echo], dir);
    await agent.runNow(['context-echo']);
    const evidence = agent.status().checks.find((c) => c.id === 'context-echo')!.last![0]!.evidence;
    expect(evidence.pid).not.toBe(process.pid);
    expect(evidence).toMatchObject({ stateDir: join(dir, 'state'), site: 'P44010600123' });
  });
});
