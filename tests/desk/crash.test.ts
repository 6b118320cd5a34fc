import { afterEach, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { expectDeliveredOnceInOrder, recordTransitions } from './support/expect-delivery.js';
import { agentDeskConfig, deskEvents, initTestDesk, spawnDesk, startAgent, waitFor } from './support/harness.js';

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

describe('desk crash', () => {
  it('desk SIGKILLed in the middle of a backlog: after it restarts nothing is lost and nothing is stored twice', async () => {
    const d = await initTestDesk();
    let desk = await spawnDesk(d);
    cleanup.push(() => kill(desk, 'SIGKILL'));
    // Small batches and window: many commits, so the kill lands between and during them.
    const a = await startAgent({ desk: await agentDeskConfig(d, 'P44010600123-POS-03'), id: 'P44010600123-POS-03', tunnel: { limits: { batchEvents: 20, windowEvents: 100 } } });
    cleanup.push(() => a.stop());
    const produced = recordTransitions(a);
    await waitFor('connected', () => a.tunnel.status().state === 'connected');
    const subjects = Array.from({ length: 1500 }, (_, i) => `device-${i}`);
    await a.setFailing(subjects);
    await a.setFailing([]);
    const total = produced.length;
    expect(total).toBe(3000);
    const atKill = await waitFor('some events committed', () => {
      const n = deskEvents(d, a.id).length;
      return n >= 200 ? n : undefined;
    }, 30_000, 2);
    await kill(desk, 'SIGKILL');
    expect(atKill, 'killed mid-backlog').toBeLessThan(total);
    expect(a.agent.store.pendingTransitions().length).toBeGreaterThan(0);

    desk = await spawnDesk(d);
    await waitFor('backlog delivered after restart', () => a.agent.store.pendingTransitions().length === 0 && a.tunnel.status().ackedSeq === a.agent.store.lastSeq, 60_000);
    expectDeliveredOnceInOrder(d, a.id, produced);
    await kill(desk, 'SIGTERM');
  });
});
