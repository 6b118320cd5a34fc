import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { spkiPin } from '../../agent/net/index.js';
import type { Desk } from '../../desk/desk.js';
import { agentDeskConfig, initTestDesk, startAgent, startDesk, waitFor, type TestDesk } from './support/harness.js';
import { foreignPki } from './support/openssl.js';
import { TcpProxy } from './support/tcp-proxy.js';
import { startTinyproxy } from './support/tinyproxy.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => undefined);
});

async function deskUp(): Promise<{ d: TestDesk; desk: Desk }> {
  const d = await initTestDesk();
  const desk = await startDesk(d);
  cleanup.push(() => desk.stop());
  return { d, desk };
}

const deskLog = (d: TestDesk) => readFileSync(join(d.dir, 'desk.log'), 'utf8');

/** An agent that must not get through: it keeps trying, never connects, and says why. */
async function expectRefused(a: Awaited<ReturnType<typeof startAgent>>, why: RegExp) {
  cleanup.push(() => a.stop());
  const err = await waitFor('a connection error', () => a.tunnel.status().lastError);
  await new Promise((r) => setTimeout(r, 200));
  expect(a.tunnel.status().state).not.toBe('connected');
  expect(err).toMatch(why);
}

describe('mutual TLS', () => {
  it('the desk refuses an agent with no client certificate, with one from another CA, or whose hello names another agent', async () => {
    const { d, desk } = await deskUp();
    // No certificate at all: the handshake fails, no WebSocket is opened.
    const bare = new WebSocket(`wss://localhost:${d.port}/agent`, { ca: readFileSync(join(d.dir, 'ca.pem')) });
    const bareErr = await new Promise<Error>((resolve) => bare.once('error', resolve));
    expect(bareErr.message).toMatch(/certificate|socket hang up|ECONNRESET|alert/i);

    const foreign = foreignPki();
    const cert = foreign.issue('P44010600123-POS-05', 'client');
    const good = await agentDeskConfig(d, 'P44010600123-POS-05');
    await expectRefused(await startAgent({ desk: { ...good, ...cert }, id: 'P44010600123-POS-05' }), /certificate|socket hang up|ECONNRESET|alert|closed/i);

    // A valid certificate of one agent used by another agent id.
    const other = await startAgent({ desk: good, id: 'P44010600123-POS-99' });
    await expectRefused(other, /4006/);
    expect(deskLog(d)).toMatch(/TLS handshake refused/);
    expect(desk.store.listAgents()).toEqual([]);
  });

  it('the agent refuses a desk it cannot verify: foreign CA, unpinned key, wrong host name; pins alone work, two for rotation', async () => {
    const { d } = await deskUp();
    const base = await agentDeskConfig(d, 'P44010600123-POS-06');
    const id = 'P44010600123-POS-06';
    const foreign = foreignPki();
    await expectRefused(await startAgent({ desk: { ...base, caFile: foreign.caFile, pins: [] }, id }), /not trusted|self.signed|unable to (get|verify)/i);

    const deskCaPin = spkiPin(readFileSync(join(d.dir, 'ca.pem')));
    const foreignPin = spkiPin(readFileSync(foreign.caFile));
    const { caFile: _ca, ...noCa } = base;
    await expectRefused(await startAgent({ desk: { ...noCa, pins: [foreignPin] }, id }), /not pinned/);
    await expectRefused(await startAgent({ desk: { ...base, pins: [foreignPin] }, id }), /not pinned/);

    // The desk's certificate names localhost and 127.0.0.1, not 127.0.0.2.
    const alias = await new TcpProxy(d.port).start(0, '127.0.0.2');
    cleanup.push(() => alias.stop());
    await expectRefused(await startAgent({ desk: { ...noCa, pins: [deskCaPin], url: `wss://127.0.0.2:${alias.port}/agent` }, id }), /does not name|altnames|Host: 127\.0\.0\.2/i);
    await expectRefused(await startAgent({ desk: { ...base, url: `wss://127.0.0.2:${alias.port}/agent` }, id }), /altnames|IP: 127\.0\.0\.2|not trusted/i);
    expect(deskLog(d)).not.toMatch(/agent connected/);

    for (const pins of [[deskCaPin], [foreignPin, deskCaPin]]) {
      const a = await startAgent({ desk: { ...noCa, pins }, id });
      await waitFor(`connected with pins ${pins.length}`, () => a.tunnel.status().state === 'connected');
      await a.stop();
    }
    const serverPin = spkiPin(readFileSync(join(d.dir, 'server.pem')));
    const a = await startAgent({ desk: { ...noCa, pins: [serverPin] }, id });
    await waitFor('connected with the server key pinned', () => a.tunnel.status().state === 'connected');
    await a.stop();
  });
});

describe('HTTP CONNECT proxy', () => {
  it('reaches the desk through tinyproxy without credentials, from config and from HTTPS_PROXY; NO_PROXY bypasses it', async () => {
    const { d } = await deskUp();
    const proxy = await startTinyproxy();
    cleanup.push(() => proxy.stop());
    const id = 'P44010600123-POS-07';
    const base = await agentDeskConfig(d, id);
    let a = await startAgent({ desk: { ...base, proxy: { url: `http://127.0.0.1:${proxy.port}` } }, id });
    await waitFor('connected through the proxy (config)', () => a.tunnel.status().state === 'connected');
    await a.stop();
    expect(proxy.connects()).toBeGreaterThan(0);

    a = await startAgent({ desk: base, id, tunnel: { env: { HTTPS_PROXY: `http://127.0.0.1:${proxy.port}` } } });
    const before = proxy.connects();
    await a.setFailing(['reader']);
    await waitFor('connected through the proxy (HTTPS_PROXY) and delivered', () => a.tunnel.status().state === 'connected' && a.agent.store.pendingTransitions().length === 0);
    await a.stop();
    expect(proxy.connects()).toBeGreaterThan(before);

    // NO_PROXY names the desk: a proxy that does not exist is never tried.
    a = await startAgent({ desk: base, id, tunnel: { env: { HTTPS_PROXY: 'http://127.0.0.1:9', NO_PROXY: 'example.com,.localhost,localhost' } } });
    await waitFor('connected directly', () => a.tunnel.status().state === 'connected');
    await a.stop();
  });

  it('with credentials: right ones connect, missing or wrong ones are refused with 407', async () => {
    const { d } = await deskUp();
    const proxy = await startTinyproxy({ user: 'gp', password: 's3cret' });
    cleanup.push(() => proxy.stop());
    const id = 'P44010600123-POS-08';
    const base = await agentDeskConfig(d, id);
    const url = `http://127.0.0.1:${proxy.port}`;
    const env = { GP_PROXY_PW: 's3cret', GP_WRONG_PW: 'nope' };
    const a = await startAgent({ desk: { ...base, proxy: { url, username: 'gp', password: { env: 'GP_PROXY_PW' } } }, id, configEnv: env });
    await waitFor('connected with credentials', () => a.tunnel.status().state === 'connected');
    await a.stop();
    await expectRefused(await startAgent({ desk: { ...base, proxy: { url } }, id }), /407.*wants credentials/);
    await expectRefused(await startAgent({ desk: { ...base, proxy: { url, username: 'gp', password: { env: 'GP_WRONG_PW' } } }, id, configEnv: env }), /40[17].*wrong proxy credentials/);
    const b = await startAgent({ desk: base, id, tunnel: { env: { https_proxy: `http://gp:s3cret@127.0.0.1:${proxy.port}` } } });
    await waitFor('connected with credentials from the env URL', () => b.tunnel.status().state === 'connected');
    await b.stop();
  });
});
