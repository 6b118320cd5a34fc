import { afterEach, describe, expect, it } from 'vitest';
import type { Channel } from '../../agent/tunnel/channels/channel.js';
import { CLOSE } from '../../agent/tunnel/protocol/constants.js';
import { ApiError } from '../../desk/client/api-client.js';
import type { Desk } from '../../desk/desk.js';
import { startScriptedAgent, type ScriptedAgent, type ScriptedAgentOptions } from './support/assist-agent.js';
import { echo, pattern, sha256, sink, source } from './support/assist-kinds.js';
import { testEngineer, type TestEngineer } from './support/engineer.js';
import { initTestDesk, startDesk, waitFor, type TestDesk } from './support/harness.js';

/**
 * Issue 13, the desk's side: requests reach the agent's live connection, follow its answers, and a running session's
 * channels are relayed between the engineer's WebSocket and the agent's connection with credit end to end. The real
 * desk on loopback (mutual TLS, its API over HTTPS, real ws), a scripted agent with the desk's certificate and a
 * real ChannelMux.
 */

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => undefined);
});

const AGENT = 'P44010600123-POS-61';
const MB = 1024 * 1024;

async function setup(agent: Partial<ScriptedAgentOptions> = {}): Promise<{ d: TestDesk; desk: Desk; a: ScriptedAgent; li: TestEngineer }> {
  const d = await initTestDesk();
  const desk = await startDesk(d, (c) => ({ ...c, organisation: '广州医保运维中心' }));
  cleanup.push(() => desk.stop());
  const a = await startScriptedAgent(d, { id: agent.id ?? AGENT, ...agent });
  cleanup.push(() => a.stop());
  await waitFor('agent ready', () => desk.registry.get(a.id)?.ready);
  return { d, desk, a, li: testEngineer(desk, 'engineer-li') };
}

/** A request the agent's operator approved: its row once running. */
async function running(a: ScriptedAgent, li: TestEngineer, body: Record<string, unknown> = { kinds: ['diag'], reason: '读卡器无响应' }) {
  const req = await li.request(a.id, body);
  await waitFor('pending', async () => (await li.get(req.id)).state === 'pending');
  a.approve(req.id);
  return waitFor('running', async () => {
    const r = await li.get(req.id);
    return r.state === 'running' && r;
  });
}

const refusal = (p: Promise<unknown>) => p.then(
  () => 'opened',
  (e: Error & { reason?: string }) => e.reason ?? e.message,
);
const status = (p: Promise<unknown>) => p.then(
  () => 'ok',
  (e: unknown) => (e instanceof ApiError ? `${e.status} ${e.message}` : String(e)),
);

describe('remote assistance at the desk', () => {
  it('requests, follows consent with a long poll, and relays channels with credit end to end (20 MB each way)', async () => {
    const { desk, a, li } = await setup({ kinds: { echo: () => echo, download: () => source(pattern(21 * MB)), upload: () => sink(uploaded) } });
    const uploaded: { hash?: string; bytes: number } = { bytes: 0 };

    const req = await li.request(AGENT, { kinds: ['diag', 'forward'], reason: '读卡器无响应', ticket: 'GZ-2026-0042', forwardTargets: ['127.0.0.1:5900'] });
    expect(req).toMatchObject({ agentId: AGENT, engineer: 'engineer-li', state: 'requested', organisation: '广州医保运维中心', durationMinutes: 30 });
    const sent = await a.next('assist-request');
    expect(sent).toEqual({
      type: 'assist-request',
      request: req.id,
      engineer: 'engineer-li',
      organisation: '广州医保运维中心',
      ticket: 'GZ-2026-0042',
      reason: '读卡器无响应',
      kinds: ['diag', 'forward'],
      durationMinutes: 30,
      forwardTargets: ['127.0.0.1:5900'],
    });

    // The long poll answers when the state changes: pending first, then (while it waits) the operator approves.
    const pending = await waitFor('pending', async () => {
      const r = await li.get(req.id);
      return r.state === 'pending' && r;
    });
    expect(pending.sessionId).toBe([...a.sessions.keys()][0]);
    const polled = li.get(req.id, 30);
    await waitFor('the long poll waits', () => desk.assist.waiting === 1);
    a.approve(req.id);
    const now = await polled;
    expect(now).toMatchObject({ state: 'running', approvedBy: 'local-page', sessionId: pending.sessionId });
    expect(now.endsAt).not.toBeNull();

    const eng = await li.attach(req.id);
    // Echo: the agent's channel names the agent's session and the engineer.
    const ch = await eng.mux.open({ kind: 'echo', params: { note: 'x' } });
    const got: Buffer[] = [];
    ch.setReader((b) => void got.push(b));
    await ch.write(Buffer.from('你好, agent'));
    await waitFor('echoed', () => Buffer.concat(got).toString() === '你好, agent');
    expect(a.channels[0]).toMatchObject({ kind: 'echo', session: pending.sessionId, params: { note: 'x' } });
    const opened = a.received.find((m) => m.type === 'channel-open')!;
    expect(opened).toMatchObject({ kind: 'echo', session: pending.sessionId, by: 'engineer-li' });

    // 21 MB from the agent to an engineer who reads slowly: every byte arrives, and the desk never holds more than a
    // window on either of its channels.
    const data = pattern(21 * MB);
    const down = await eng.mux.open({ kind: 'download' });
    const relayDown = desk.assist.relaysOf(req.id).find((r) => r.engineer.kind === 'download')!;
    const parts: Buffer[] = [];
    let n = 0;
    const closedDown = new Promise<string>((resolve) => down.once('close', resolve));
    down.setReader(async (b) => {
      parts.push(b);
      if (++n % 8 === 0) await new Promise((r) => setTimeout(r, 1));
    });
    expect(await closedDown).toBe('done');
    expect(sha256(Buffer.concat(parts))).toBe(sha256(data));
    for (const c of [relayDown.agent, relayDown.engineer]) {
      expect(c.stats.maxUnconsumed, `${c.kind} leg`).toBeLessThanOrEqual(c.window);
    }
    expect(relayDown.agent.stats.maxUnconsumed, 'the engineer was the slow side: the agent leg filled up').toBeGreaterThan(0);
    expect(relayDown.agent.stats.bytesReceived).toBe(data.length);

    // 20 MB from the engineer to an agent that reads as fast as it comes: it grants credit for nearly every chunk,
    // more credit frames than the frame limit's burst, none of them counted.
    const up = await eng.mux.open({ kind: 'upload' });
    const relayUp = desk.assist.relaysOf(req.id).find((r) => r.engineer.kind === 'upload')!;
    const sentUp = pattern(20 * MB, 99);
    for (let off = 0; off < sentUp.length; off += 16 * 1024) await up.write(sentUp.subarray(off, off + 16 * 1024));
    up.close('done');
    await waitFor('uploaded', () => uploaded.hash, 60_000);
    expect(uploaded.hash).toBe(sha256(sentUp));
    expect(relayUp.engineer.stats.maxUnconsumed).toBeGreaterThan(0);
    for (const c of [relayUp.agent, relayUp.engineer]) expect(c.stats.maxUnconsumed).toBeLessThanOrEqual(c.window);

    // Bulk channel frames never counted against the agent's frame rate: connected, never limited.
    expect(a.ws.readyState).toBe(a.ws.OPEN);
    expect(desk.store.listAgents().find((x) => x.id === AGENT)?.limited).toBeNull();
  });

  it("refuses what the agent refuses, with its reason; only the requesting engineer may attach, only while it runs", async () => {
    const { desk, a, li } = await setup({ kinds: { echo: () => echo, shell: () => ({ refuse: 'denied' }) } });
    const req = await li.request(AGENT, { kinds: ['diag'], reason: '查看状态' });
    await waitFor('pending', async () => (await li.get(req.id)).state === 'pending');
    expect(await status(li.attach(req.id))).toMatch(/^409 request .* is pending, not running: wait for the operator's consent$/);
    a.approve(req.id);
    await waitFor('running', async () => (await li.get(req.id)).state === 'running');

    const wang = testEngineer(desk, 'engineer-wang');
    expect(await status(wang.attach(req.id))).toBe(`403 request ${req.id} is engineer-li's: only the engineer who asked may attach to it`);
    const anonymous = testEngineer(desk, 'engineer-zhao');
    desk.store.revokeToken('engineer-zhao', new Date().toISOString());
    expect(await status(anonymous.attach(req.id))).toMatch(/^401 a valid token is required/);
    expect(await status(li.attach('ffffffff-0000-0000-0000-000000000000'))).toBe('404 no assistance request ffffffff-0000-0000-0000-000000000000');
    expect(await status(li.api.get(`/api/v1/assist/${req.id}/channels`))).toMatch(/^426 this route is a WebSocket/);

    const eng = await li.attach(req.id.slice(0, 8)); // a unique prefix, as tables show it
    expect(await refusal(eng.mux.open({ kind: 'shell', params: { cols: 80, rows: 24 } }))).toBe('denied');
    expect(await refusal(eng.mux.open({ kind: 'format-disk' }))).toBe('bad_params');
    expect(await refusal(eng.mux.open({ kind: 'echo', session: 'someone-elses-session' }))).toBe('unknown_session');
    // Refused channels leave nothing relayed, and a good one still opens.
    expect(desk.assist.relaysOf(req.id)).toEqual([]);
    const ok = await eng.mux.open({ kind: 'echo' });
    expect(ok.closed).toBeUndefined();
  });

  it('refuses requests to an agent offline, unknown or without assistance (409, 404), and bad input (400)', async () => {
    const { d, desk, li } = await setup();
    const plain = await startScriptedAgent(d, { id: 'P44010600123-POS-62', assist: false });
    cleanup.push(() => plain.stop());
    await waitFor('ready', () => desk.registry.get(plain.id)?.ready);
    const body = { kinds: ['diag'], reason: '巡检' };
    expect(plain.deskHello.lastAuditSeq, 'no audit asked of an agent without assistance').toBeUndefined();
    expect(await status(li.request(plain.id, body))).toBe(
      '409 agent P44010600123-POS-62 does not offer remote assistance: its hello has no "assist" capability (assistance is off in its configuration)',
    );
    await plain.stop();
    await waitFor('offline', () => !desk.registry.get(plain.id));
    expect(await status(li.request(plain.id, body))).toBe('409 agent P44010600123-POS-62 is offline: assistance needs its live connection');
    expect(await status(li.request('P99999999999-NONE', body))).toBe('404 no agent P99999999999-NONE');
    expect(plain.received.some((m) => m.type === 'assist-request'), 'nothing of assistance sent to it').toBe(false);

    expect(await status(li.request(AGENT, { kinds: ['telnet'], reason: 'x' }))).toBe('400 kinds: "telnet" is not one of diag, shell, forward');
    expect(await status(li.request(AGENT, { kinds: ['diag'] }))).toBe('400 missing body field "reason"');
    expect(await status(li.request(AGENT, { kinds: ['diag'], reason: 'x', durationMinutes: 0 }))).toBe('400 durationMinutes: 0 must be >= 1');
    expect(await status(li.api.get('/api/v1/assist', { state: 'lost' }))).toBe('400 state: "lost" is not one of requested, refused, pending, running, denied, timed-out, withdrawn, ended');
    expect(await status(li.api.get('/api/v1/assist/xyz'))).toBe('400 id: "xyz" must look like 3f2a9c1e');
    expect(await status(li.api.get(`/api/v1/assist/${'0'.repeat(8)}`, { wait: '61' }))).toBe('400 wait: 61 must be <= 60');
  });

  it("DELETE ends the session: assist-end to the agent, every channel closed on both legs, who ended it recorded", async () => {
    const { desk, a, li } = await setup({ kinds: { echo: () => echo } });
    const req = await running(a, li);
    const eng = await li.attach(req.id);
    const chans = [await eng.mux.open({ kind: 'echo' }), await eng.mux.open({ kind: 'echo' })];
    const closes = chans.map((c) => new Promise<string>((resolve) => c.once('close', resolve)));
    const agentCloses = a.channels.map((c) => new Promise<string>((resolve) => c.once('close', resolve)));

    const ended = await li.api.delete<{ request: { id: string; endRequestedBy: string }; delivery: string }>(`/api/v1/assist/${req.id}`);
    expect(ended.delivery).toBe('sent');
    expect(ended.request.endRequestedBy).toBe('engineer-li');
    expect(await a.next('assist-end')).toEqual({ type: 'assist-end', session: req.sessionId, reason: 'ended at the desk by engineer-li' });
    expect(await Promise.all(closes)).toEqual(['session_ended', 'session_ended']);
    expect(await Promise.all(agentCloses)).toEqual(['session_ended', 'session_ended']);
    expect((await eng.closed).code).toBe(1000);
    const after = await waitFor('ended', async () => {
      const r = await li.get(req.id);
      return r.state === 'ended' && r;
    });
    expect(after).toMatchObject({ endCause: 'engineer', endedBy: 'engineer-li' });
    expect(desk.assist.relaysOf(req.id)).toEqual([]);
    expect(await status(li.api.delete(`/api/v1/assist/${req.id}`))).toBe(`409 request ${req.id} is already ended (engineer)`);
  });

  it('withdrawing a request the agent has not answered yet: assist-end goes as soon as it answers', async () => {
    const { a, li } = await setup({ answer: 'hold' });
    const req = await li.request(AGENT, { kinds: ['diag'], reason: '巡检' });
    await a.next('assist-request');
    const r = await li.api.delete<{ delivery: string }>(`/api/v1/assist/${req.id}`);
    expect(r.delivery).toBe('sent as soon as the agent answers the request');
    const s = a.pend(req.id);
    expect(await a.next('assist-end')).toMatchObject({ session: s.id });
    const after = await waitFor('withdrawn', async () => {
      const x = await li.get(req.id);
      return x.state === 'withdrawn' && x;
    });
    expect(after.endedBy).toBe('engineer-li');
  });

  it("the agent's end (expiry) and a lost agent connection close the engineer's channels and end the request", async () => {
    const { desk, a, li } = await setup({ kinds: { echo: () => echo } });
    const first = await running(a, li);
    const eng = await li.attach(first.id);
    const ch = await eng.mux.open({ kind: 'echo' });
    const closed = new Promise<string>((resolve) => ch.once('close', resolve));
    a.endSession(first.sessionId!, 'expiry', 'time-limit');
    expect(await closed).toBe('session_ended');
    expect((await eng.closed).reason).toBe('session ended (expiry)');
    expect(await li.get(first.id)).toMatchObject({ state: 'ended', endCause: 'expiry', endedBy: 'time-limit' });

    const second = await running(a, li);
    const eng2 = await li.attach(second.id);
    const chans: Channel[] = [await eng2.mux.open({ kind: 'echo' }), await eng2.mux.open({ kind: 'echo' })];
    const lost = chans.map((c) => new Promise<string>((resolve) => c.once('close', resolve)));
    a.ws.terminate(); // the tunnel drops
    expect(await Promise.all(lost)).toEqual(['session_ended', 'session_ended']);
    expect((await eng2.closed).reason).toBe('session ended: the agent connection was lost');
    const after = await waitFor('ended', async () => {
      const r = await li.get(second.id);
      return r.state === 'ended' && r;
    });
    expect(after.endCause).toBe('connection-lost');
    expect(desk.assist.relaysOf(second.id)).toEqual([]);
    // A late answer about it from a new connection cannot bring it back: the desk ends it on the agent.
  });

  it('channel control frames stay bounded: a flood of them closes the connection (4020)', async () => {
    const { a } = await setup();
    for (let i = 0; i < 1200; i++) a.send({ type: 'channel-credit', channel: 2 * i + 1, bytes: 1 });
    const closed = await a.closed;
    expect(closed.code).toBe(CLOSE.rateLimited);
    expect(closed.reason).toContain('other frames faster than 50/s');
  });
});
