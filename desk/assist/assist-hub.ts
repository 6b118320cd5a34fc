import { randomUUID } from 'node:crypto';
import type { Channel } from '../../agent/tunnel/channels/channel.js';
import { isChannelCloseReason, type ChannelCloseReason } from '../../agent/tunnel/channels/close-reasons.js';
import type { OpenDecision, OpenRequest } from '../../agent/tunnel/channels/mux.js';
import type { AssistRequestMessage, AssistStateMessage } from '../../agent/tunnel/protocol/messages.js';
import { isLive, type AssistKind, type AssistRequestPatch, type AssistRequestQuery, type AssistRequestRow, type AssistStore } from '../store/assist-types.js';
import type { AgentAssistPort, AgentAssistSink } from './agent-port.js';
import { relayChannels } from './channel-relay.js';
import { applyState } from './request-states.js';
import { RequestWaiters } from './request-waiters.js';

/** A refusal the engineer API passes on as its status and message (fastify's error handler reads statusCode). */
export class AssistError extends Error {
  constructor(
    readonly statusCode: 400 | 403 | 404 | 409,
    message: string,
  ) {
    super(message);
  }
}

/** An agent connection as the hub looks it up (the session registry's AgentSession has this shape). */
export interface AgentLookup {
  readonly ready: boolean;
  readonly assistPort: AgentAssistPort | undefined;
}

interface HubLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  debug(fields: Record<string, unknown>, message: string): void;
}

export interface AssistHubDeps {
  store: AssistStore;
  findAgent(agentId: string): AgentLookup | undefined;
  /** desk.json `organisation`, sent with every request. */
  organisation?: string | undefined;
  logger: HubLogger;
  now: () => Date;
}

export interface NewRequest {
  kinds: AssistKind[];
  reason: string;
  ticket?: string | undefined;
  durationMinutes: number;
  forwardTargets?: string[] | undefined;
}

/** An engineer's WebSocket attached to a session: closed when the session ends. */
export interface EngineerEnd {
  readonly open: boolean;
  close(code: number, reason: string): void;
}

/** One engineer channel and the agent channel it is relayed to. */
export interface Relay {
  engineer: Channel;
  agent: Channel;
}

/** The longest long poll on a request. */
export const MAX_WAIT_SECONDS = 60;

/**
 * Remote assistance at the desk: engineers' requests sent to the agent's live connection and recorded as the agent
 * answers, long polls on them, the engineers' WebSockets and the relay of their channels to the agent's. The
 * agent decides everything (policy, consent); the desk asks, records, and ends what it is asked to end. A request
 * is carried by the connection it was sent on: when that connection closes, the request is over (the agent ends
 * its sessions when the tunnel drops). Whatever ends a session closes every channel of it on both legs.
 */
export class AssistHub implements AgentAssistSink {
  private readonly waiters = new RequestWaiters();
  /** Live requests → the agent connection carrying them. */
  private readonly carriers = new Map<string, AgentAssistPort>();
  private readonly engineers = new Map<string, Set<EngineerEnd>>();
  private readonly relays = new Map<string, Set<Relay>>();
  private stopped = false;

  constructor(private readonly d: AssistHubDeps) {}

  // --- the engineer API ---

  request(agentId: string, engineer: string, r: NewRequest): AssistRequestRow {
    const port = this.portOf(agentId);
    const at = this.d.now().toISOString();
    const row: AssistRequestRow = {
      id: randomUUID(),
      agentId,
      engineer,
      organisation: this.d.organisation ?? null,
      ticket: r.ticket ?? null,
      reason: r.reason,
      kinds: [...new Set(r.kinds)],
      durationMinutes: r.durationMinutes,
      forwardTargets: r.forwardTargets ?? [],
      createdAt: at,
      sessionId: null,
      state: 'requested',
      stateAt: at,
      refusal: null,
      approvedBy: null,
      deniedBy: null,
      startedAt: null,
      endsAt: null,
      endedAt: null,
      endCause: null,
      endedBy: null,
      endRequestedBy: null,
    };
    this.d.store.createRequest(row);
    const message: AssistRequestMessage = {
      type: 'assist-request',
      request: row.id,
      engineer,
      ...(row.organisation ? { organisation: row.organisation } : {}),
      ...(row.ticket ? { ticket: row.ticket } : {}),
      reason: row.reason,
      kinds: row.kinds,
      durationMinutes: row.durationMinutes,
      ...(row.forwardTargets.length ? { forwardTargets: row.forwardTargets } : {}),
    };
    if (!port.sendRequest(message)) {
      this.update(row.id, { state: 'ended', stateAt: at, endedAt: at, endCause: 'connection-lost' });
      throw new AssistError(409, `agent ${agentId} went offline while the request was sent`);
    }
    this.carriers.set(row.id, port);
    this.d.logger.info({ request: row.id, agent: agentId, engineer, kinds: row.kinds, ticket: row.ticket ?? undefined }, 'remote assistance requested');
    return row;
  }

  /** A request by its id or a unique prefix of it. */
  find(text: string): AssistRequestRow {
    const r = this.d.store.findRequest(text);
    if ('found' in r) return r.found;
    if ('ambiguous' in r) throw new AssistError(400, `request id prefix "${text}" matches more than one request; give more characters`);
    throw new AssistError(404, `no assistance request ${text}`);
  }

  list(q: AssistRequestQuery): AssistRequestRow[] {
    return this.d.store.listRequests(q);
  }

  /**
   * The request now, or — while the agent or its operator has still to answer (requested, pending) — once it changed
   * or `seconds` passed: what a client waiting for consent needs, one call per change.
   */
  async wait(row: AssistRequestRow, seconds: number, cancelled?: (cancel: () => void) => void): Promise<AssistRequestRow> {
    if ((row.state !== 'requested' && row.state !== 'pending') || seconds <= 0 || this.stopped) return row;
    await this.waiters.wait(row.id, Math.min(seconds, MAX_WAIT_SECONDS) * 1000, cancelled);
    return this.d.store.getRequest(row.id) ?? row;
  }

  /** The engineer ends a running session or withdraws a request: assist-end now, or as soon as the agent answers. */
  end(text: string, engineer: string): { request: AssistRequestRow; delivery: string } {
    const row = this.find(text);
    if (!isLive(row.state)) throw new AssistError(409, `request ${row.id} is already ${row.state}${row.endCause ? ` (${row.endCause})` : ''}`);
    const port = this.carriers.get(row.id);
    const at = this.d.now().toISOString();
    let delivery: string;
    if (!port?.connected) {
      // Only after a lost connection the hub has not heard of yet: nothing can reach the agent, it is over.
      this.update(row.id, { state: 'ended', stateAt: at, endedAt: at, endCause: 'connection-lost', endRequestedBy: engineer });
      delivery = 'the agent is not connected';
    } else if (row.sessionId) {
      port.sendEnd({ type: 'assist-end', session: row.sessionId, reason: `ended at the desk by ${engineer}` });
      this.update(row.id, { endRequestedBy: engineer });
      this.closeChannels(row.id, row.sessionId, port, 'session ended by the engineer');
      delivery = 'sent';
    } else {
      this.update(row.id, { endRequestedBy: engineer });
      delivery = 'sent as soon as the agent answers the request';
    }
    this.d.logger.info({ request: row.id, agent: row.agentId, engineer, delivery }, 'remote assistance ended by the engineer');
    return { request: this.d.store.getRequest(row.id)!, delivery };
  }

  // --- engineers' channels ---

  /** Whether `engineer` may attach channels to the request now: theirs, running, its agent connected. */
  attachable(text: string, engineer: string): { row: AssistRequestRow; port: AgentAssistPort } {
    const row = this.find(text);
    if (row.engineer !== engineer) throw new AssistError(403, `request ${row.id} is ${row.engineer}'s: only the engineer who asked may attach to it`);
    if (row.state !== 'running') throw new AssistError(409, `request ${row.id} is ${row.state}, not running${row.state === 'pending' || row.state === 'requested' ? ': wait for the operator\'s consent' : ''}`);
    const port = this.carriers.get(row.id);
    if (!port?.connected || !row.sessionId) throw new AssistError(409, `agent ${row.agentId} is not connected`);
    return { row, port };
  }

  addEngineer(id: string, end: EngineerEnd): () => void {
    let set = this.engineers.get(id);
    if (!set) this.engineers.set(id, (set = new Set()));
    set.add(end);
    return () => {
      set.delete(end);
      if (!set.size && this.engineers.get(id) === set) this.engineers.delete(id);
    };
  }

  /**
   * An engineer opens a channel on the request's session: the desk opens one to the agent for it (with the agent's
   * session id, and the engineer as `by`), and accepts the engineer's only when the agent accepted, refusing with
   * the agent's reason otherwise. `stillOpen` says whether the engineer's socket is still there to take it.
   */
  async openForEngineer(id: string, engineer: string, r: OpenRequest, stillOpen: () => boolean): Promise<OpenDecision> {
    let target: { row: AssistRequestRow; port: AgentAssistPort };
    try {
      target = this.attachable(id, engineer);
    } catch {
      return { refuse: 'unknown_session' };
    }
    const { row, port } = target;
    if (r.session !== undefined && r.session !== row.sessionId && r.session !== row.id) return { refuse: 'unknown_session' };
    let agent: Channel;
    try {
      agent = await port.openChannel({
        kind: r.kind,
        session: row.sessionId!,
        by: engineer,
        ...(r.purpose !== undefined ? { purpose: r.purpose } : {}),
        params: { ...r.params },
      });
    } catch (err) {
      const reason = refusalOf(err);
      this.d.logger.info({ request: id, agent: row.agentId, kind: r.kind, reason }, 'the agent refused an engineer channel');
      return { refuse: reason };
    }
    if (!stillOpen()) {
      agent.close('error');
      return { refuse: 'error' };
    }
    return {
      accept: (engineerChannel) => {
        relayChannels(engineerChannel, agent);
        let set = this.relays.get(id);
        if (!set) this.relays.set(id, (set = new Set()));
        const relay = { engineer: engineerChannel, agent };
        set.add(relay);
        engineerChannel.once('close', () => {
          set.delete(relay);
          if (!set.size && this.relays.get(id) === set) this.relays.delete(id);
        });
      },
    };
  }

  /** Long polls waiting now. */
  get waiting(): number {
    return this.waiters.size;
  }

  /** The channels relayed for a request now (their flow-control counters show what the desk holds). */
  relaysOf(id: string): Relay[] {
    return [...(this.relays.get(id) ?? [])];
  }

  // --- from agent connections ---

  stateReceived(port: AgentAssistPort, m: AssistStateMessage): void {
    const at = this.d.now().toISOString();
    let row = m.request ? this.d.store.getRequest(m.request) : undefined;
    if (row && row.agentId !== port.agentId) {
      this.d.logger.warn({ agent: port.agentId, request: m.request, owner: row.agentId }, "assist-state names another agent's request; ignored");
      return;
    }
    row ??= this.bySession(port, m.session);
    if (!row) {
      this.d.logger.warn({ agent: port.agentId, session: m.session, state: m.state }, 'assist-state for a session the desk never requested');
      if (isLive(m.state)) port.sendEnd({ type: 'assist-end', session: m.session, reason: 'the desk has no request for this session' });
      return;
    }
    const outcome = applyState(row, m, at);
    if ('ignore' in outcome) return this.d.logger.debug({ request: row.id, state: m.state, why: outcome.ignore }, 'assist-state ignored');
    if ('endOnAgent' in outcome) {
      this.d.logger.warn({ request: row.id, agent: port.agentId, state: m.state, why: outcome.endOnAgent }, 'the agent runs a session the desk holds as over: ending it');
      port.sendEnd({ type: 'assist-end', session: m.session, reason: 'the desk has ended this request' });
      return;
    }
    const next = this.update(row.id, outcome.change)!;
    this.d.logger.info({ request: row.id, agent: port.agentId, session: m.session, state: next.state, approvedBy: next.approvedBy ?? undefined, endCause: next.endCause ?? undefined }, 'remote assistance state');
    if (!isLive(next.state)) {
      this.carriers.delete(row.id);
      this.closeChannels(row.id, m.session, port, `session ${next.state}${next.endCause ? ` (${next.endCause})` : ''}`);
      return;
    }
    this.carriers.set(row.id, port);
    if (next.endRequestedBy) {
      port.sendEnd({ type: 'assist-end', session: m.session, reason: `ended at the desk by ${next.endRequestedBy}` });
      this.closeChannels(row.id, m.session, port, 'session ended by the engineer');
    }
  }

  agentGone(port: AgentAssistPort): void {
    if (this.stopped) return; // the desk stopping: left live, marked desk-restart at the next start
    const at = this.d.now().toISOString();
    for (const [id, carrier] of [...this.carriers]) {
      if (carrier !== port) continue;
      this.carriers.delete(id);
      const row = this.d.store.getRequest(id);
      if (!row || !isLive(row.state)) continue;
      this.update(id, { state: 'ended', stateAt: at, endedAt: at, endCause: 'connection-lost' });
      this.closeChannels(id, row.sessionId, undefined, 'session ended: the agent connection was lost');
      this.d.logger.warn({ request: id, agent: port.agentId }, 'remote assistance ended: the agent connection was lost');
    }
  }

  /** The desk stops: long polls return, engineers' sockets close. */
  close(): void {
    this.stopped = true;
    this.waiters.wakeAll();
    for (const set of this.engineers.values()) for (const e of [...set]) e.close(1001, 'desk shutting down');
    this.engineers.clear();
  }

  private portOf(agentId: string): AgentAssistPort {
    const s = this.d.findAgent(agentId);
    if (!s) {
      if (!this.d.store.agentExists(agentId)) throw new AssistError(404, `no agent ${agentId}`);
      throw new AssistError(409, `agent ${agentId} is offline: assistance needs its live connection`);
    }
    if (!s.ready) throw new AssistError(409, `agent ${agentId} is connecting (its snapshot is not in yet); try again in a moment`);
    if (!s.assistPort?.connected) {
      throw new AssistError(409, `agent ${agentId} does not offer remote assistance: its hello has no "assist" capability (assistance is off in its configuration)`);
    }
    return s.assistPort;
  }

  private bySession(port: AgentAssistPort, session: string): AssistRequestRow | undefined {
    for (const [id, carrier] of this.carriers) {
      if (carrier !== port) continue;
      const row = this.d.store.getRequest(id);
      if (row?.sessionId === session) return row;
    }
    return undefined;
  }

  private update(id: string, patch: AssistRequestPatch): AssistRequestRow | undefined {
    const row = this.d.store.updateRequest(id, patch);
    this.waiters.wake(id);
    return row;
  }

  /** Every channel of the session, on both legs, and the engineers' sockets of the request. */
  private closeChannels(id: string, sessionId: string | null, port: AgentAssistPort | undefined, why: string): void {
    if (sessionId) port?.closeSession(sessionId);
    // Engineer channels whose agent leg was on a connection already gone close with their relay; any left, here.
    for (const r of this.relaysOf(id)) r.engineer.close('session_ended');
    const ends = this.engineers.get(id);
    this.engineers.delete(id);
    for (const e of ends ?? []) e.close(1000, why);
  }
}

/** The reason an agent refused a channel (the mux's error carries it), in the closed list. */
function refusalOf(err: unknown): ChannelCloseReason {
  const e = err as Error & { reason?: string };
  if (e.reason && isChannelCloseReason(e.reason)) return e.reason;
  const named = /: ([a-z_]+)$/.exec(e.message ?? '')?.[1];
  if (named && isChannelCloseReason(named)) return named;
  if (/no answer within/.test(e.message ?? '')) return 'timeout';
  if (/too many channels/.test(e.message ?? '')) return 'too_many_channels';
  if (/connection is closed/.test(e.message ?? '')) return 'session_ended';
  return 'error';
}
