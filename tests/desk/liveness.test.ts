import { afterEach, describe, expect, it } from 'vitest';
import { Backoff } from '../../agent/tunnel/backoff.js';
import type { Desk } from '../../desk/desk.js';
import { agentDeskConfig, initTestDesk, startAgent, startDesk, waitFor } from './support/harness.js';
import { TcpProxy } from './support/tcp-proxy.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => undefined);
});

describe('liveness', () => {
  it('a desk that stops answering (connection still up) is taken for dead after 3 missed pongs; the agent reconnects', async () => {
    const d = await initTestDesk();
    const desk: Desk = await startDesk(d);
    cleanup.push(() => desk.stop());
    const proxy = await new TcpProxy(d.port).start();
    cleanup.push(() => proxy.stop());
    const id = 'P44010600123-POS-12';
    const a = await startAgent({
      desk: await agentDeskConfig(d, id, { url: `wss://localhost:${proxy.port}/agent` }),
      id,
      tunnel: { timing: { pingMinMs: 100, pingMaxMs: 150, connectTimeoutMs: 500 } },
    });
    cleanup.push(() => a.stop());
    await waitFor('connected', () => a.tunnel.status().state === 'connected');
    const t0 = Date.now();
    proxy.blackhole = true;
    await waitFor('declared dead', () => a.tunnel.status().lastError?.includes('did not answer 3 pings'), 5000);
    // Three pings 100–150 ms apart went unanswered and the fourth tick gives up: it cannot happen before ~300 ms.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    expect(a.tunnel.status().state).not.toBe('connected');
    proxy.blackhole = false;
    await a.setFailing(['reader']);
    await waitFor('reconnected and delivered', () => a.tunnel.status().state === 'connected' && a.agent.store.pendingTransitions().length === 0, 10_000);
  });

  it('reconnect delays: exponential backoff with full jitter, capped at 60 s, reset after a good connection', () => {
    const top = new Backoff(1000, 60_000, () => 0.999_999);
    const ceilings = Array.from({ length: 10 }, () => top.next());
    expect(ceilings).toEqual([999, 1999, 3999, 7999, 15_999, 31_999, 59_999, 59_999, 59_999, 59_999]);
    const low = new Backoff(1000, 60_000, () => 0);
    expect(Array.from({ length: 5 }, () => low.next())).toEqual([0, 0, 0, 0, 0]);
    top.reset();
    expect(top.next()).toBe(999);
    const real = new Backoff(1000, 60_000);
    for (let i = 0; i < 50; i++) expect(real.next()).toBeLessThan(60_000);
  });
});
