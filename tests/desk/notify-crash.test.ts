import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Desk } from '../../desk/desk.js';
import { writePrivateFile } from '../../desk/file-modes.js';
import { startRobotReceiver, type Received, type RobotReceiver } from '../../desk/notify/test-receivers.js';
import { agentDeskConfig, deskEvents, initTestDesk, spawnDesk, startAgent, waitFor, type TestDesk } from './support/harness.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => undefined);
});

const kill = (p: ChildProcess, signal: NodeJS.Signals) =>
  new Promise<void>((resolve) => {
    if (p.exitCode !== null || p.signalCode !== null) return resolve();
    p.once('exit', () => resolve());
    p.kill(signal);
  });

async function receiver(): Promise<RobotReceiver> {
  const r = await startRobotReceiver('wecom', { key: 'wk' });
  cleanup.push(() => r.close());
  return r;
}

/** desk.json with a notify section whose robot key is in an owner-only file (the desk process reads no test env). */
function writeNotify(d: TestDesk, notify: Record<string, unknown>): void {
  writePrivateFile(join(d.dir, 'wecom.key'), 'wk\n');
  const file = join(d.dir, 'desk.json');
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  writeFileSync(file, JSON.stringify({ ...doc, notify }, null, 2));
}

const faultIds = (received: Received[]): string[] =>
  received.flatMap((m) => [...(m.body as { markdown: { content: string } }).markdown.content.matchAll(/\/faults\/([\w-]+)/g)].map((x) => x[1]!));

describe('desk notifications across a crash', () => {
  it('desk SIGKILLed with notices queued: after restart every fault is told, each once (bar the one send in flight)', async () => {
    const robot = await receiver();
    robot.delayMs = 40; // a slow robot: the outbox is still full when the desk dies
    const d = await initTestDesk();
    writeNotify(d, { consoleBaseUrl: 'https://desk.example/console', groupSeconds: 0, channels: { ops: { kind: 'wecom', keyFile: 'wecom.key', baseUrl: robot.baseUrl, perMinute: 0 } } });
    let desk = await spawnDesk(d);
    cleanup.push(() => kill(desk, 'SIGKILL'));
    const agent = await startAgent({ desk: await agentDeskConfig(d, 'P44010600123-POS-03'), id: 'P44010600123-POS-03' });
    cleanup.push(() => agent.stop());
    await waitFor('connected', () => agent.tunnel.status().state === 'connected');
    const subjects = Array.from({ length: 100 }, (_, i) => `reader-${i}`);
    for (let i = 1; i <= subjects.length; i += 1) await agent.setFailing(subjects.slice(0, i)); // one new fault at a time
    await waitFor('all 100 committed', () => deskEvents(d, agent.id).length === 100, 30_000);
    await waitFor('some told', () => robot.received.length >= 10, 30_000);
    await kill(desk, 'SIGKILL');
    const before = new Set(faultIds(robot.received)).size;
    expect(before, 'killed with notices still queued').toBeLessThan(100);

    robot.delayMs = 0;
    desk = await spawnDesk(d);
    await waitFor('every fault told after restart', () => new Set(faultIds(robot.received)).size === 100, 30_000);
    const counts = new Map<string, number>();
    for (const id of faultIds(robot.received)) counts.set(id, (counts.get(id) ?? 0) + 1);
    const twice = [...counts.values()].filter((n) => n > 1).length;
    // The message in flight at the kill may go again (at-least-once, as the robots themselves are); nothing else.
    const inFlight = robot.received.length > 0 ? Math.max(...robot.received.map((m) => faultIds([m]).length)) : 0;
    expect(twice).toBeLessThanOrEqual(inFlight);
    await kill(desk, 'SIGTERM');
  });

  it('a robot that hangs never stalls ingest: faults keep arriving and other channels keep being told', async () => {
    const hung = await receiver();
    const fine = await startRobotReceiver('webhook', {});
    cleanup.push(() => fine.close());
    hung.script.push(...Array.from({ length: 50 }, () => 'hang' as const));
    const d = await initTestDesk();
    const desk = await Desk.start({
      dir: d.dir,
      env: { WK: 'wk' },
      override: (c) => ({
        ...c,
        notify: {
          mode: 'all',
          groupSeconds: 0,
          channels: { slow: { kind: 'wecom', keyEnv: 'WK', baseUrl: hung.baseUrl, timeoutSeconds: 30 }, am: { kind: 'webhook', url: `${fine.baseUrl}/a` } },
          routes: [{ channels: ['slow'] }, { channels: ['am'] }],
        },
      }),
    });
    cleanup.push(() => desk.stop());
    const agent = await startAgent({ desk: await agentDeskConfig(d, 'P44010600123-POS-04'), id: 'P44010600123-POS-04' });
    cleanup.push(() => agent.stop());
    await waitFor('connected', () => agent.tunnel.status().state === 'connected');
    for (let i = 1; i <= 20; i += 1) await agent.setFailing(Array.from({ length: i }, (_, j) => `reader-${j}`));
    await waitFor('all 20 committed and acknowledged to the agent', () => agent.tunnel.status().ackedSeq === agent.agent.store.lastSeq && deskEvents(d, agent.id).length === 20);
    await waitFor('the other channel told of all 20', () => new Set(fine.received.flatMap((m) => (m.body as { alerts: { fingerprint: string }[] }).alerts.map((a) => a.fingerprint))).size === 20);
    expect(hung.received).toHaveLength(0);
    expect(desk.notify.status().find((c) => c.channel === 'slow')).toMatchObject({ sent: 0, pending: expect.any(Number) });
  });
});
