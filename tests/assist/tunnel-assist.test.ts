import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { AuditLog } from '../../agent/assist/audit/audit-log.js';
import { parseLine } from '../../agent/assist/audit/record.js';
import type { AssistPolicy } from '../../agent/assist/policy/schema.js';
import { AssistSessions } from '../../agent/assist/session/assist-sessions.js';
import { auditSinkOf } from '../../agent/assist/session/audit-sink.js';
import { DeskAssistPeer } from '../../agent/assist/session/desk-peer.js';
import type { AssistSetup } from '../../agent/tunnel/session.js';
import { CLOSE } from '../../agent/tunnel/protocol/constants.js';
import { ConsentBroker } from '../../agent/web/consent-broker.js';
import { goodHello, startFakeDesk, type Behaviour } from '../desk/support/fake-desk.js';
import { agentDeskConfig, initTestDesk, startAgent, waitFor } from '../desk/support/harness.js';

/*
 * The tunnel's part of remote assistance against a scripted desk over real mutual TLS: requests reach the session
 * layer and every state comes back; ending and dropping end sessions; the audit log is delivered in order, resumed
 * after what the desk has, and acknowledged one frame at a time.
 */
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => undefined);
});

const POLICY: AssistPolicy = {
  enabled: true,
  kinds: { diag: true, forward: true, shell: false },
  forwardTargets: ['127.0.0.1:5900'],
  maxDurationMinutes: 60,
  idleTimeoutMinutes: 15,
  maxConcurrentSessions: 2,
  bandwidthBytesPerSecond: 1_048_576,
  consentTimeoutSeconds: 120,
  maintenanceWindows: [],
};

type Msg = Record<string, any>;

/** A desk that answers hello (with lastAuditSeq), records every frame, and lets the test send. */
function scriptedDesk(into: Msg[], sockets: WebSocket[], opts: { lastAuditSeq?: number; ackAudit?: boolean } = {}): Behaviour {
  return (ws, hello) => {
    sockets.push(ws);
    into.push(hello);
    ws.on('message', (data, binary) => {
      if (binary) return;
      const m = JSON.parse(data.toString()) as Msg;
      into.push(m);
      if (opts.ackAudit !== false && m.type === 'audit') {
        const last = parseLine(m.lines.at(-1));
        if (last.ok) ws.send(JSON.stringify({ type: 'audit-ack', upToSeq: last.record.seq }));
      }
    });
    ws.send(JSON.stringify({ ...goodHello(0), ...(opts.lastAuditSeq !== undefined ? { lastAuditSeq: opts.lastAuditSeq } : {}) }));
  };
}

async function assistAgent(id: string, deskPort: number, d: Awaited<ReturnType<typeof initTestDesk>>) {
  const dir = mkdtempSync(join(tmpdir(), 'gp-assist-'));
  const audit = await AuditLog.open(join(dir, 'audit'));
  const consent = new ConsentBroker({ maxLive: 2 });
  const sessions = new AssistSessions({ policy: POLICY, consent, audit: auditSinkOf(audit), consentPaths: () => ({ page: true, cli: true }) });
  const peer = new DeskAssistPeer(sessions, { info: () => undefined, warn: () => undefined });
  const assist: AssistSetup = { onOpen: () => ({ refuse: 'denied' }), sessions: peer, audit };
  const a = await startAgent({ desk: await agentDeskConfig(d, id, { url: `wss://localhost:${deskPort}/agent` }), id, tunnel: { assist } });
  cleanup.push(async () => {
    await a.stop();
    peer.close();
    sessions.close();
    consent.close();
    await audit.close();
  });
  return { a, audit, consent, sessions };
}

const request = (n: number, extra: Msg = {}) => ({
  type: 'assist-request',
  request: `req-${n}`,
  engineer: '张工',
  organisation: '某某信息技术有限公司',
  ticket: `T-${n}`,
  reason: '读卡器无响应',
  kinds: ['diag'],
  durationMinutes: 30,
  ...extra,
});

const states = (into: Msg[], request: string) => into.filter((m) => m.type === 'assist-state' && m.request === request).map((m) => m.state as string);
const auditSeqs = (into: Msg[]) => into.filter((m) => m.type === 'audit').flatMap((m) => (m.lines as string[]).map((l) => (JSON.parse(l) as { seq: number }).seq));

describe('remote assistance through the tunnel', () => {
  it('a request is asked of the operator, its states reach the desk with the request id, and the engineer can end it', async () => {
    const d = await initTestDesk();
    const got: Msg[] = [];
    const sockets: WebSocket[] = [];
    const fake = await startFakeDesk(d, [scriptedDesk(got, sockets)]);
    cleanup.push(() => fake.stop());
    const { a, consent, sessions } = await assistAgent('P44010600123-POS-31', fake.port, d);
    const hello = await waitFor('hello', () => got.find((m) => m.type === 'hello'));
    expect(hello.capabilities).toContain('assist');

    sockets[0]!.send(JSON.stringify(request(1)));
    const pending = await waitFor('pending', () => got.find((m) => m.type === 'assist-state' && m.state === 'pending'));
    expect(pending).toMatchObject({ request: 'req-1', engineer: '张工', kinds: ['diag'] });
    // The operator is asked with who, why and how long; the desk cannot answer for them.
    expect(consent.get(pending.session)).toMatchObject({ state: 'pending', engineer: '张工', organisation: '某某信息技术有限公司' });
    consent.approve(pending.session, 'local-cli');
    const running = await waitFor('running', () => got.find((m) => m.type === 'assist-state' && m.state === 'running'));
    expect(running).toMatchObject({ request: 'req-1', session: pending.session, approvedBy: 'local-cli' });
    expect(typeof running.endsAt).toBe('string');

    sockets[0]!.send(JSON.stringify({ type: 'assist-end', session: pending.session, reason: 'fixed' }));
    const ended = await waitFor('ended', () => got.find((m) => m.type === 'assist-state' && m.state === 'ended'));
    expect(ended).toMatchObject({ request: 'req-1', endCause: 'engineer' });
    expect(sessions.get(pending.session)?.state).toBe('ended');
    expect(states(got, 'req-1')).toEqual(['pending', 'running', 'ended']);
    // The connection stays up: assistance messages are no protocol trouble.
    expect(fake.closes).toEqual([]);
    expect(a.tunnel.status().state).toBe('connected');
  });

  it('a request the policy forbids is refused at once, with the rule, and nobody is asked', async () => {
    const d = await initTestDesk();
    const got: Msg[] = [];
    const sockets: WebSocket[] = [];
    const fake = await startFakeDesk(d, [scriptedDesk(got, sockets)]);
    cleanup.push(() => fake.stop());
    const { consent } = await assistAgent('P44010600123-POS-32', fake.port, d);
    await waitFor('hello', () => got.find((m) => m.type === 'hello'));
    sockets[0]!.send(JSON.stringify(request(2, { kinds: ['shell'] })));
    const refused = await waitFor('refused', () => got.find((m) => m.type === 'assist-state' && m.request === 'req-2'));
    expect(refused).toMatchObject({ state: 'refused', refusal: { reason: 'kind_not_allowed' } });
    expect(consent.liveSessions()).toEqual([]);
  });

  it('a dropped desk connection ends the running session and withdraws the pending one, and the audit says so', async () => {
    const d = await initTestDesk();
    const got: Msg[] = [];
    const sockets: WebSocket[] = [];
    const fake = await startFakeDesk(d, [scriptedDesk(got, sockets)]);
    cleanup.push(() => fake.stop());
    const { consent, sessions, audit } = await assistAgent('P44010600123-POS-33', fake.port, d);
    await waitFor('hello', () => got.find((m) => m.type === 'hello'));
    sockets[0]!.send(JSON.stringify(request(3)));
    const p3 = await waitFor('pending 3', () => got.find((m) => m.request === 'req-3' && m.state === 'pending'));
    consent.approve(p3.session, 'local-page');
    await waitFor('running 3', () => got.find((m) => m.request === 'req-3' && m.state === 'running'));
    sockets[0]!.send(JSON.stringify(request(4)));
    const p4 = await waitFor('pending 4', () => got.find((m) => m.request === 'req-4' && m.state === 'pending'));

    sockets[0]!.terminate();
    await waitFor('both ended', () => sessions.get(p3.session)?.state === 'ended' && sessions.get(p4.session)?.state === 'withdrawn');
    expect(sessions.get(p3.session)).toMatchObject({ endCause: 'connection-lost' });
    const lines = await audit.linesAfter(0, 100, 1 << 20);
    const kinds = lines.map((l) => JSON.parse(l.line) as Record<string, unknown>);
    expect(kinds.find((r) => r.kind === 'session-end' && r.session === p3.session)).toMatchObject({ cause: 'connection-lost' });
    expect(kinds.find((r) => r.kind === 'consent' && r.session === p4.session)).toMatchObject({ decision: 'withdrawn' });
  });

  it('the audit log reaches the desk in order, one frame awaiting its ack, and a new connection resumes after the desk\'s lastAuditSeq', async () => {
    const d = await initTestDesk();
    const first: Msg[] = [];
    const second: Msg[] = [];
    const sockets: WebSocket[] = [];
    // The second desk says it already has records 1..3.
    const fake = await startFakeDesk(d, [scriptedDesk(first, sockets), scriptedDesk(second, sockets, { lastAuditSeq: 3 })]);
    cleanup.push(() => fake.stop());
    const { audit } = await assistAgent('P44010600123-POS-34', fake.port, d);
    for (let i = 0; i < 250; i++) await audit.append('diag-action', { session: 's', action: 'status', n: i });
    await waitFor('all 250 records at the first desk', () => auditSeqs(first).length >= 250);
    expect(auditSeqs(first)).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
    // Frames were cut at the batch size, and each line is the exact sealed record (its own hash checks).
    const frames = first.filter((m) => m.type === 'audit');
    expect(frames.length).toBeGreaterThanOrEqual(2);
    expect(frames.every((f) => f.lines.length <= 200)).toBe(true);
    expect(frames.flatMap((f) => f.lines as string[]).every((l) => { const p = parseLine(l); return p.ok && p.hashMatches; })).toBe(true);

    sockets[0]!.terminate();
    await waitFor('records at the second desk', () => auditSeqs(second).length >= 247);
    expect(auditSeqs(second)[0]).toBe(4);
    await audit.append('diag-action', { session: 's', action: 'status', n: 250 });
    await waitFor('the new record', () => auditSeqs(second).includes(251));
  });

  it('an audit-ack beyond what was sent is a protocol error (4003); an assist-request to an agent without assistance is refused (4002)', async () => {
    const d = await initTestDesk();
    const got: Msg[] = [];
    const sockets: WebSocket[] = [];
    const fake = await startFakeDesk(d, [scriptedDesk(got, sockets, { ackAudit: false }), scriptedDesk(got, sockets)]);
    cleanup.push(() => fake.stop());
    await assistAgent('P44010600123-POS-35', fake.port, d);
    await waitFor('hello', () => got.find((m) => m.type === 'hello'));
    sockets[0]!.send(JSON.stringify({ type: 'audit-ack', upToSeq: 99 }));
    await waitFor('closed', () => fake.closes.length >= 1);
    expect(fake.closes[0]!.code).toBe(CLOSE.outOfOrder);

    const plainGot: Msg[] = [];
    const plainSockets: WebSocket[] = [];
    const plain = await startFakeDesk(d, [scriptedDesk(plainGot, plainSockets)]);
    cleanup.push(() => plain.stop());
    const id = 'P44010600123-POS-36';
    const b = await startAgent({ desk: await agentDeskConfig(d, id, { url: `wss://localhost:${plain.port}/agent` }), id });
    cleanup.push(() => b.stop());
    const hello = await waitFor('hello', () => plainGot.find((m) => m.type === 'hello'));
    expect(hello.capabilities).not.toContain('assist');
    plainSockets[0]!.send(JSON.stringify(request(5)));
    await waitFor('closed', () => plain.closes.length >= 1);
    expect(plain.closes[0]!.code).toBe(CLOSE.unknownType);
  });
});
