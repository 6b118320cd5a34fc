import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../agent/cli/main.js';
import type { CliIO } from '../../agent/cli/io.js';
import type { Desk } from '../../desk/desk.js';
import type { FaultRow } from '../../desk/store/types.js';
import { agentDeskConfig, initTestDesk, startAgent, startDesk, tmp, waitFor, type TestDesk } from './support/harness.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => undefined);
});

async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  let out = '';
  let err = '';
  const io: CliIO = { out: (s) => void (out += `${s}\n`), err: (s) => void (err += `${s}\n`), env };
  const code = await main(args, io);
  return { code, out, err };
}

const json = async <T>(d: TestDesk, args: string[]): Promise<T> => {
  const r = await cli(['desk-cli', ...args, '--dir', d.dir, '--json']);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.out) as T;
};

describe('engineer API and desk-cli', () => {
  it('tokens, agents, filtered faults, an acknowledgement that reaches the agent (also when it was offline), timeline, report', async () => {
    const d = await initTestDesk();
    const desk: Desk = await startDesk(d);
    cleanup.push(() => desk.stop());
    const id = 'P44010600123-POS-11';
    const deskConfig = await agentDeskConfig(d, id);
    const agentDir = tmp('gp-agent-');
    let a = await startAgent({ desk: deskConfig, id, dir: agentDir });
    cleanup.push(() => a.stop());
    await a.setFailing(['reader'], 'critical');
    await a.setFailing(['reader', 'printer'], 'critical');
    await waitFor('delivered', () => a.agent.store.pendingTransitions().length === 0 && desk.store.listFaults({ state: ['active'] }).length === 2);

    // Tokens: none, wrong, then a saved one.
    expect((await cli(['desk-cli', 'faults', '--dir', d.dir])).code).toBe(64);
    const wrong = await cli(['desk-cli', 'faults', '--dir', d.dir, '--token', 'gpd_nope']);
    expect(wrong.code).toBe(78);
    expect(wrong.err).toContain('HTTP 401');
    const created = await cli(['desk-cli', 'token', 'create', 'engineer-li', '--dir', d.dir, '--save']);
    expect(created.code).toBe(0);
    expect(created.out).toMatch(/^gpd_/);
    expect((await cli(['desk-cli', 'token', 'create', 'engineer-li', '--dir', d.dir])).err).toContain('exists');

    const { agents } = await json<{ agents: { id: string; online: boolean; openFaults: Record<string, number> }[] }>(d, ['agents']);
    expect(agents).toEqual([expect.objectContaining({ id, online: true, openFaults: { critical: 2, major: 0, minor: 0 } })]);
    const zh = await cli(['desk-cli', 'agents', '--dir', d.dir, '--lang', 'zh']);
    expect(zh.out).toContain('在线');

    let { faults } = await json<{ faults: FaultRow[] }>(d, ['faults', '--severity', 'critical', '--state', 'active', '--site', 'P44010600123']);
    expect(faults.map((f) => f.subject).sort()).toEqual(['printer', 'reader']);
    expect((await json<{ faults: FaultRow[] }>(d, ['faults', '--severity', 'minor'])).faults).toEqual([]);
    expect((await json<{ faults: FaultRow[] }>(d, ['faults', '--since', '2999-01-01'])).faults).toEqual([]);
    expect((await json<{ faults: FaultRow[] }>(d, ['faults', '--site', 'H99999999999'])).faults).toEqual([]);
    const bad = await cli(['desk-cli', 'faults', '--dir', d.dir, '--severity', 'urgent']);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('severity: "urgent" is not one of critical, major, minor');
    const en = await cli(['desk-cli', 'faults', '--dir', d.dir, '--lang', 'en']);
    expect(en.out).toMatch(/fault id\s+grade\s+state/);

    // Acknowledge by the 8-character id the table shows: it reaches the agent and comes back as its event.
    const reader = faults.find((f) => f.subject === 'reader')!;
    const ack = await cli(['desk-cli', 'ack', reader.id.slice(0, 8), '--note', '已派工程师', '--dir', d.dir]);
    expect(ack.code).toBe(0);
    expect(ack.out).toContain('sent');
    const onAgent = await waitFor('acknowledged on the agent', () => a.agent.engine.active().find((f) => f.id === reader.id && f.state === 'acknowledged'));
    expect(onAgent.acknowledgedBy).toBe('engineer-li');
    expect(onAgent.acknowledgedNote).toBe('已派工程师'); // the engineer's note travels with the acknowledgement
    await waitFor('the agent event back at the desk', () => desk.store.timeline({ agentId: id, id: reader.id })?.entries.some((e) => e.what === 'event' && e.kind === 'acknowledged'));
    const timeline = await json<{ entries: { what: string; kind: string; by?: string }[] }>(d, ['timeline', reader.id]);
    expect(timeline.entries.map((e) => `${e.what}:${e.kind}`)).toEqual(['event:opened', 'acknowledgement:delivered (applied)', 'event:acknowledged']);
    expect(timeline.entries[1]!.by).toBe('engineer-li');

    // While the agent is offline the acknowledgement waits, and is delivered after it reconnects.
    await a.stop();
    await waitFor('agent offline', () => desk.store.listAgents()[0]?.online === false);
    const printer = faults.find((f) => f.subject === 'printer')!;
    const queued = await cli(['desk-cli', 'ack', printer.id, '--dir', d.dir]);
    expect(queued.out).toContain('queued until the agent reconnects');
    a = await startAgent({ desk: deskConfig, id, dir: agentDir });
    cleanup.push(() => a.stop());
    await waitFor('late acknowledgement applied', () => a.agent.engine.active().find((f) => f.id === printer.id)?.state === 'acknowledged');
    await waitFor('delivery recorded', () => desk.store.pendingAcks(id).length === 0);
    expect((await cli(['desk-cli', 'ack', 'ffffffff', '--dir', d.dir])).err).toContain('no fault ffffffff');

    const report = await json<{ totals: Record<string, { faults: number; respond: Record<string, number> }>; faults: { respond: string }[] }>(d, ['report']);
    expect(report.totals.critical!.faults).toBe(2);
    expect(report.totals.critical!.respond.met).toBe(2);
    const table = await cli(['desk-cli', 'report', '--dir', d.dir, '--lang', 'zh']);
    expect(table.out).toContain('合同目标：10 分钟内响应');
  });
});
