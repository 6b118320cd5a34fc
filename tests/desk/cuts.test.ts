import { afterEach, describe, expect, it } from 'vitest';
import type { Desk } from '../../desk/desk.js';
import { expectDeliveredOnceInOrder, expectSameActiveFaults, recordTransitions } from './support/expect-delivery.js';
import { agentDeskConfig, initTestDesk, startAgent, startDesk, waitFor } from './support/harness.js';
import { TcpProxy } from './support/tcp-proxy.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => undefined);
});

describe('cut connections', () => {
  it('100 connections cut at random moments by a loopback proxy: every transition delivered once, in order', async () => {
    const d = await initTestDesk();
    // 100 reconnects within seconds is this test's point, not a storm to slow down (tests/desk/limits.test.ts).
    const desk: Desk = await startDesk(d, (c) => ({ ...c, limits: { ...c.limits, connectBurst: 1000 } }));
    cleanup.push(() => desk.stop());
    const proxy = await new TcpProxy(d.port).start();
    cleanup.push(() => proxy.stop());
    const deskConfig = await agentDeskConfig(d, 'P44010600123-POS-04', { url: `wss://localhost:${proxy.port}/agent` });
    const a = await startAgent({
      desk: deskConfig,
      id: 'P44010600123-POS-04',
      tunnel: { timing: { backoffBaseMs: 5, backoffCapMs: 60 }, limits: { batchEvents: 5, windowEvents: 20 } },
    });
    cleanup.push(() => a.stop());
    const produced = recordTransitions(a);

    // Faults keep changing while connections are cut: during TLS, hello, snapshot, mid-batch, before an ack.
    let changing = true;
    const churn = (async () => {
      for (let i = 0; changing; i++) {
        const failing = Array.from({ length: 12 }, (_, j) => `dev-${j}`).filter(() => Math.random() < 0.5);
        await a.setFailing(failing, i % 3 === 0 ? 'critical' : 'major');
        await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
      }
    })();

    let cuts = 0;
    while (cuts < 100) {
      await waitFor('a connection to cut', () => proxy.open > 0, 20_000, 1);
      await new Promise((r) => setTimeout(r, Math.random() * 40));
      if (proxy.cutAll() > 0) cuts++;
    }
    changing = false;
    await churn;
    await waitFor('everything delivered', () => a.agent.store.pendingTransitions().length === 0 && a.tunnel.status().ackedSeq === a.agent.store.lastSeq, 30_000);

    expect(proxy.accepted).toBeGreaterThanOrEqual(100);
    expect(produced.length).toBeGreaterThan(100);
    expectDeliveredOnceInOrder(d, a.id, produced);
    expectSameActiveFaults(desk, a);
  });
});
