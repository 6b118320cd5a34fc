import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import type { Channel } from '../../../agent/tunnel/channels/channel.js';
import type { ChannelCloseReason } from '../../../agent/tunnel/channels/close-reasons.js';
import { ChannelMux, type OpenRequest } from '../../../agent/tunnel/channels/mux.js';
import type { AssistRequestMessage } from '../../../agent/tunnel/protocol/messages.js';
import { helloFrame, snapshotFrame } from './frames.js';
import { agentDeskConfig, type TestDesk } from './harness.js';

/**
 * A scripted agent for the desk's side of remote assistance: a real WebSocket with an agent certificate the desk's
 * PKI issued, speaking the protocol (hello with "assist", snapshot, assist-state answers, audit frames), with a real
 * ChannelMux (side "agent") whose open handler serves what the test asks for. The real agent's assistance is wired
 * elsewhere; this one answers as the protocol says an agent does, and records what it was sent.
 */

/** How a kind serves an accepted channel (or refuses it, with a reason from the closed list). */
export type KindServer = (ch: Channel, req: OpenRequest) => void;
export type KindDecision = KindServer | { refuse: ChannelCloseReason };

export interface AgentSession {
  id: string;
  request: AssistRequestMessage;
  state: string;
}

export interface ScriptedAgentOptions {
  id: string;
  /** Offer assistance in hello (default true). */
  assist?: boolean;
  /**
   * Answer requests: 'pending' (the test approves), 'running' (pending then running, as a maintenance window does),
   * 'refuse', or 'hold' (no answer until the test calls pend()).
   */
  answer?: 'pending' | 'running' | 'refuse' | 'hold';
  /** Channel kinds it serves; others are refused bad_params. */
  kinds?: Record<string, (req: OpenRequest) => KindDecision>;
  /** This end's receive window per channel. */
  window?: number;
}

export interface ScriptedAgent {
  id: string;
  ws: WebSocket;
  mux: ChannelMux;
  /** Every text frame the desk sent, in order. */
  received: Record<string, any>[];
  deskHello: Record<string, any>;
  sessions: Map<string, AgentSession>;
  /** Channels this agent accepted, in order. */
  channels: Channel[];
  closed: Promise<{ code: number; reason: string }>;
  next(type: string, where?: (m: Record<string, any>) => boolean): Promise<Record<string, any>>;
  send(m: unknown): void;
  /** Answers a held request: pending (its operator is asked). */
  pend(request: string): AgentSession;
  /** The operator (or a window) approves the session of `request` (the desk's id). */
  approve(request: string, approvedBy?: string): AgentSession;
  /** The agent ends a running session itself (expiry, the operator). */
  endSession(session: string, endCause: string, endedBy?: string): void;
  /** Sends one audit frame; resolves with the desk's audit-ack. */
  audit(lines: string[]): Promise<number>;
  stop(): Promise<void>;
}

export async function startScriptedAgent(d: TestDesk, o: ScriptedAgentOptions): Promise<ScriptedAgent> {
  const cfg = await agentDeskConfig(d, o.id);
  const ws = new WebSocket(cfg.url!, {
    ca: readFileSync(cfg.caFile!),
    cert: readFileSync(cfg.certFile!),
    key: readFileSync(cfg.keyFile!),
    maxPayload: 4 * 1024 * 1024,
    perMessageDeflate: false,
  });
  ws.on('error', () => undefined);
  const received: Record<string, any>[] = [];
  const waiters: { type: string; where?: (m: Record<string, any>) => boolean; resolve: (m: Record<string, any>) => void }[] = [];
  const sessions = new Map<string, AgentSession>();
  const channels: Channel[] = [];
  const mux = new ChannelMux(ws, { side: 'agent', ...(o.window ? { window: o.window } : {}) });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  ws.on('close', () => mux.closeAll());
  const send = (m: unknown) => ws.readyState === ws.OPEN && ws.send(JSON.stringify(m));
  const tell = (s: AgentSession, extra: Record<string, unknown> = {}) =>
    send({ type: 'assist-state', session: s.id, request: s.request.request, state: s.state, at: new Date().toISOString(), engineer: s.request.engineer, kinds: s.request.kinds, ...extra });

  const approve = (request: string, approvedBy = 'local-page'): AgentSession => {
    const s = [...sessions.values()].find((x) => x.request.request === request);
    if (!s || s.state !== 'pending') throw new Error(`no pending session for request ${request}`);
    s.state = 'running';
    tell(s, { approvedBy, endsAt: new Date(Date.now() + s.request.durationMinutes * 60_000).toISOString() });
    return s;
  };

  mux.onOpen((req) => {
    const s = req.session ? sessions.get(req.session) : undefined;
    if (!s || s.state !== 'running') return { refuse: 'unknown_session' };
    const serve = o.kinds?.[req.kind]?.(req);
    if (!serve) return { refuse: 'bad_params' };
    if (typeof serve !== 'function') return serve;
    return { accept: (ch) => (channels.push(ch), serve(ch, req)) };
  });

  ws.on('message', (data: Buffer, isBinary) => {
    if (isBinary) return mux.handleBinary(data);
    const m = JSON.parse(data.toString()) as Record<string, any>;
    received.push(m);
    for (const w of [...waiters]) {
      if (w.type === m.type && (!w.where || w.where(m))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
    if (String(m.type).startsWith('channel-')) return void mux.handle(m as never);
    if (m.type === 'assist-request') {
      const req = m as AssistRequestMessage;
      const s: AgentSession = { id: randomUUID(), request: req, state: o.answer === 'refuse' ? 'refused' : 'pending' };
      sessions.set(s.id, s);
      if (o.answer === 'hold') return;
      if (s.state === 'refused') return tell(s, { refusal: { reason: 'kind_not_allowed', detail: 'shell is off in this terminal\'s policy' } });
      tell(s);
      if (o.answer === 'running') approve(req.request, 'window:night');
      return;
    }
    if (m.type === 'assist-end') {
      const s = sessions.get(m.session);
      if (!s || (s.state !== 'pending' && s.state !== 'running')) return;
      const was = s.state;
      s.state = was === 'running' ? 'ended' : 'withdrawn';
      mux.closeSession(s.id);
      tell(s, was === 'running' ? { endCause: 'engineer', endedBy: 'engineer' } : { endedBy: 'engineer' });
    }
  });

  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const next = (type: string, where?: (m: Record<string, any>) => boolean) => {
    const have = received.find((m) => m.type === type && (!where || where(m)));
    return have ? Promise.resolve(have) : new Promise<Record<string, any>>((resolve) => waiters.push({ type, ...(where ? { where } : {}), resolve }));
  };
  send(helloFrame(o.id, { capabilities: o.assist === false ? ['snapshot', 'events', 'heartbeat', 'fault-ack'] : ['snapshot', 'events', 'heartbeat', 'fault-ack', 'assist'] }));
  const deskHello = await next('hello');
  send(snapshotFrame());

  let audits = 0;
  return {
    id: o.id,
    ws,
    mux,
    received,
    deskHello,
    sessions,
    channels,
    closed,
    next,
    send,
    approve,
    pend(request) {
      const s = [...sessions.values()].find((x) => x.request.request === request)!;
      tell(s);
      return s;
    },
    endSession(session, endCause, endedBy) {
      const s = sessions.get(session)!;
      s.state = 'ended';
      mux.closeSession(s.id);
      tell(s, { endCause, ...(endedBy ? { endedBy } : {}) });
    },
    async audit(lines) {
      const before = audits++;
      send({ type: 'audit', lines });
      const acks = () => received.filter((m) => m.type === 'audit-ack');
      if (acks().length > before) return acks()[before]!.upToSeq as number;
      return (await next('audit-ack', () => acks().length > before)).upToSeq as number;
    },
    async stop() {
      if (ws.readyState === ws.OPEN) ws.close(1000, 'agent stopping');
      await Promise.race([closed, new Promise((r) => setTimeout(r, 2000))]);
      ws.terminate();
    },
  };
}
