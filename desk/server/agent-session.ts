import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type WebSocket from 'ws';
import { closeReason, decodeFrame } from '../../agent/tunnel/protocol/codec.js';
import { ASSIST_CAPABILITY, CLOSE, MAX_AGENT_FRAME_BYTES, PROTOCOL_VERSION, type CloseCode } from '../../agent/tunnel/protocol/constants.js';
import type { AgentMessage, AuditMessage, ChannelMessage, DeskMessage } from '../../agent/tunnel/protocol/messages.js';
import { AgentAssistLink } from '../assist/agent-link.js';
import type { AgentAssistPort, AgentAssistSink } from '../assist/agent-port.js';
import type { DeskConfig } from '../config.js';
import { refusalText, type QuotaKind, type Refused } from '../store/quota.js';
import type { AckRecord, DeskStore, LimitKind } from '../store/types.js';
import { AckPacer } from './ack-pacer.js';
import { renewAgentCert } from './cert-renewal.js';
import type { AgentLimits } from './agent-limits.js';
import type { IngestQueue, OpOwner } from './ingest-queue.js';
import type { SessionRegistry } from './session-registry.js';
import { TokenBucket } from './token-bucket.js';

export interface AgentSessionDeps {
  queue: IngestQueue;
  store: DeskStore;
  registry: SessionRegistry<AgentSession>;
  config: DeskConfig;
  limits: AgentLimits;
  logger: Logger;
  now: () => Date;
  /** Remote assistance: where the session states of agents that offer it go. */
  assist: AgentAssistSink;
}

/** Heartbeats a connection may send at once: the one after the snapshot, and slack for a slow network. */
const HEARTBEAT_BURST = 3;
/**
 * Other frames (fault-ack results, assistance states and audit, channel control frames): a burst covers answers to
 * every acknowledgement queued offline. Bulk channel data is not counted (credit bounds it, see desk/assist).
 */
const OTHER_FRAME_BURST = 1000;
const OTHER_FRAMES_PER_SECOND = 50;

/**
 * A limit the desk applied, logged and recorded at most once a minute per agent and kind (see AgentLimits.notice).
 * `record: false` when the store recorded it already (quota refusals are recorded in their own transaction).
 */
export function noticeLimit(d: Pick<AgentSessionDeps, 'limits' | 'logger' | 'queue' | 'now'>, agentId: string, kind: LimitKind, detail: string, n = 1, record = true): void {
  const count = d.limits.notice(agentId, kind, n);
  if (!count) return;
  d.logger.warn({ agent: agentId, limit: kind, count, detail }, 'agent limited');
  if (record) {
    d.queue
      .push({ kind: 'limited', agentId, limit: kind, detail, count, at: d.now().toISOString() })
      .catch((err: Error) => d.logger.error({ err: err.message }, 'recording a limit failed'));
  }
}

type State = 'hello' | 'snapshot' | 'ready' | 'closed';

/**
 * The desk's side of one agent connection. The agent id comes from the client certificate and must match hello.
 * Order is enforced (hello, snapshot, then events/heartbeats; seqs increasing); every frame is validated, and a bad
 * one closes the connection with its close code and a logged reason. Events are acknowledged after commit, paced
 * by the agent's rate limit; more events in flight than the policy's window, heartbeats faster than the policy or
 * other frames faster than the desk takes them close the connection (4020); what a quota refused is acknowledged,
 * and the connection closed (4021) at most once an hour to tell the agent why.
 */
export class AgentSession implements OpOwner {
  storeFailed = false;
  readonly connId = randomUUID();
  agentId?: string;
  lastFrameAt = Date.now();
  private state: State = 'hello';
  private lastEventSeq = 0;
  private readonly helloTimer: NodeJS.Timeout;
  private readonly acks: AckPacer;
  private readonly heartbeats: TokenBucket;
  private readonly otherFrames: TokenBucket;
  /** Acknowledgements are being slowed (one notice per episode). */
  private pacing = false;
  /** Present when the agent's hello offered assistance ("assist" capability). */
  private assist?: AgentAssistLink;

  constructor(
    private readonly ws: WebSocket,
    readonly certAgentId: string,
    readonly remote: string,
    private readonly d: AgentSessionDeps,
  ) {
    d.registry.add(this);
    const now = performance.now();
    this.acks = new AckPacer((upTo) => {
      if (this.send({ type: 'ack', upToSeq: upTo })) d.limits.released(this.agentId!, upTo);
    });
    this.heartbeats = new TokenBucket(2 / d.config.policy.heartbeatSeconds, HEARTBEAT_BURST, now);
    this.otherFrames = new TokenBucket(OTHER_FRAMES_PER_SECOND, OTHER_FRAME_BURST, now);
    ws.on('message', (data, isBinary) => this.onFrame(data as Buffer, isBinary));
    ws.on('ping', () => void (this.lastFrameAt = Date.now()));
    ws.on('pong', () => void (this.lastFrameAt = Date.now()));
    // ws reports an oversized frame here (and closes with 1009 itself).
    ws.on('error', (err) => d.logger.warn({ agent: certAgentId, remote, err: err.message }, 'agent connection error'));
    ws.on('close', (code, reason) => this.onClose(code, reason.toString()));
    this.helloTimer = setTimeout(() => {
      if (this.state === 'hello') this.fail(CLOSE.helloTimeout, `no hello within ${d.config.helloTimeoutSeconds} s`);
    }, d.config.helloTimeoutSeconds * 1000);
    this.helloTimer.unref();
  }

  get ready(): boolean {
    return this.state === 'ready';
  }

  /** This connection's assistance, when the agent offers it (nothing of assistance goes to an agent without it). */
  get assistPort(): AgentAssistPort | undefined {
    return this.assist;
  }

  /** An engineer acknowledged one of this agent's faults. */
  sendFaultAck(a: AckRecord): void {
    if (this.state !== 'ready') return; // sent with the pending ones after the next snapshot
    this.send({ type: 'fault-ack', ackId: a.id, faultId: a.faultId, faultKey: a.faultKey, by: a.by, at: a.at, ...(a.note ? { note: a.note } : {}) });
  }

  close(code: CloseCode, reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.ws.close(code, closeReason(reason));
    setTimeout(() => this.ws.terminate(), 2000).unref();
  }

  terminate(reason: string): void {
    this.d.logger.warn({ agent: this.agentId ?? this.certAgentId, reason }, 'dropping agent connection');
    this.state = 'closed';
    this.ws.terminate();
  }

  private onFrame(data: Buffer, isBinary: boolean): void {
    this.lastFrameAt = Date.now();
    if (this.state === 'closed') return;
    // Binary frames are channel data, for agents that offer assistance; from any other agent a protocol error.
    if (isBinary && this.assist && this.state !== 'hello') {
      if (!this.assist.binaryIsBulk(data) && !this.otherFrames.tryTake(1, performance.now())) return this.limit('frames', `other frames faster than ${OTHER_FRAMES_PER_SECOND}/s`);
      return this.assist.binary(data);
    }
    const decoded = decodeFrame(data, isBinary, 'agent', MAX_AGENT_FRAME_BYTES);
    if (!decoded.ok) return this.fail(decoded.close, decoded.reason);
    this.handle(decoded.message);
  }

  private handle(msg: AgentMessage): void {
    const { queue, logger } = this.d;
    const at = this.d.now().toISOString();
    switch (msg.type) {
      case 'hello': {
        if (this.state !== 'hello') return this.fail(CLOSE.outOfOrder, 'a second hello');
        if (msg.protocol !== PROTOCOL_VERSION) return this.fail(CLOSE.unsupportedVersion, `agent speaks protocol ${msg.protocol}, desk ${PROTOCOL_VERSION}`);
        if (msg.agentId !== this.certAgentId) return this.fail(CLOSE.identityMismatch, `hello says "${msg.agentId}", certificate says "${this.certAgentId}"`);
        clearTimeout(this.helloTimer);
        this.agentId = msg.agentId;
        this.d.registry.claim(this);
        const committed = this.d.limits.resumeSeq(msg.agentId, this.d.store.lastCommittedSeq(msg.agentId));
        const agent = { id: msg.agentId, site: msg.site, profile: msg.profile, version: msg.agentVersion, protocol: msg.protocol, remote: this.remote };
        queue.push({ kind: 'connected', agent, connId: this.connId, at }, this).catch((err: Error) => this.storeError(err));
        const assist = msg.capabilities.includes(ASSIST_CAPABILITY);
        if (assist) this.assist = new AgentAssistLink(this.ws, msg.agentId, (m) => this.send(m), this.d.assist, logger);
        // An agent that offers assistance sends its audit log from the record after the last one stored here.
        const audit = assist ? { lastAuditSeq: this.d.store.assist.lastAuditSeq(msg.agentId) } : {};
        this.send({ type: 'hello', protocol: PROTOCOL_VERSION, deskTime: at, lastCommittedSeq: committed, ...audit, canRenew: true, policy: this.d.config.policy });
        this.state = 'snapshot';
        logger.info({ agent: msg.agentId, remote: this.remote, version: msg.agentVersion, committed, agentSeq: msg.seq }, 'agent connected');
        return;
      }
      case 'snapshot':
        if (this.state !== 'snapshot') return this.fail(CLOSE.outOfOrder, this.state === 'hello' ? 'snapshot before hello' : 'a second snapshot');
        this.state = 'ready';
        queue
          .push({ kind: 'snapshot', agentId: this.agentId!, asOfSeq: msg.asOfSeq, faults: msg.faults, complete: msg.complete !== false, agentAt: msg.at, at }, this)
          .then((r) => {
            for (const a of this.d.store.pendingAcks(this.agentId!)) this.sendFaultAck(a);
            if (r.refused) this.refused(r.refused);
          })
          .catch((err: Error) => this.storeError(err));
        return;
      case 'events': {
        if (this.state !== 'ready') return this.fail(CLOSE.outOfOrder, this.state === 'hello' ? 'events before hello' : 'events before the snapshot');
        let prev = this.lastEventSeq;
        for (const e of msg.events) {
          if (e.seq <= prev) return this.fail(CLOSE.outOfOrder, `event seq ${e.seq} not after ${prev}`);
          prev = e.seq;
        }
        this.lastEventSeq = prev;
        const n = msg.events.length;
        const window = this.d.config.policy.windowEvents;
        if (this.acks.inFlight + n > window) return this.limit('window', `${this.acks.inFlight + n} events in flight; the policy allows ${window}`);
        this.acks.received(n);
        const wait = this.d.limits.chargeEvents(this.agentId!, n);
        if (wait > 0 && !this.pacing) {
          const { eventBurst, eventsPerSecond } = this.d.config.limits;
          noticeLimit(this.d, this.agentId!, 'events-rate', `past ${eventBurst} events at once: acknowledging ${eventsPerSecond} events/s`);
        }
        this.pacing = wait > 0;
        const due = performance.now() + wait;
        queue
          .push({ kind: 'events', agentId: this.agentId!, events: msg.events, at }, this)
          .then((r) => {
            this.acks.committed(r.lastSeq!, n, due);
            if (r.refused) this.refused(r.refused);
          })
          .catch((err: Error) => this.storeError(err));
        return;
      }
      case 'heartbeat':
        if (this.state !== 'ready') return this.fail(CLOSE.outOfOrder, 'heartbeat before the snapshot');
        if (!this.heartbeats.tryTake(1, performance.now())) return this.limit('heartbeats', `heartbeats faster than the policy's one every ${this.d.config.policy.heartbeatSeconds} s`);
        queue
          .push({ kind: 'heartbeat', agentId: this.agentId!, health: msg.health, critical: msg.critical, at }, this)
          .then((r) => r.refused && this.refused(r.refused))
          .catch((err: Error) => this.storeError(err));
        this.send({ type: 'heartbeat-ack', deskTime: at });
        return;
      case 'fault-ack-result':
        if (this.state === 'hello') return this.fail(CLOSE.outOfOrder, 'fault-ack-result before hello');
        if (!this.otherFrames.tryTake(1, performance.now())) return this.limit('frames', `other frames faster than ${OTHER_FRAMES_PER_SECOND}/s`);
        queue.push({ kind: 'ack-delivered', agentId: this.agentId!, ackId: msg.ackId, outcome: msg.outcome, at }, this).catch((err: Error) => this.storeError(err));
        logger.info({ agent: this.agentId, ackId: msg.ackId, outcome: msg.outcome }, 'acknowledgement reached the agent');
        return;
      case 'renew':
        if (this.state === 'hello') return this.fail(CLOSE.outOfOrder, 'renew before hello');
        if (!this.otherFrames.tryTake(1, performance.now())) return this.limit('frames', `other frames faster than ${OTHER_FRAMES_PER_SECOND}/s`);
        void renewAgentCert(this.d, this.agentId!, msg.csr).then((answer) => this.send(answer));
        return;
      case 'assist-state':
        if (!this.assist) return this.fail(CLOSE.unknownType, 'assist-state from an agent without the assist capability');
        if (this.state === 'hello') return this.fail(CLOSE.outOfOrder, 'assist-state before hello');
        if (!this.otherFrames.tryTake(1, performance.now())) return this.limit('frames', `other frames faster than ${OTHER_FRAMES_PER_SECOND}/s`);
        this.assist.state(msg);
        return;
      case 'audit':
        if (!this.assist) return this.fail(CLOSE.unknownType, 'audit from an agent without the assist capability');
        if (this.state === 'hello') return this.fail(CLOSE.outOfOrder, 'audit before hello');
        if (!this.otherFrames.tryTake(1, performance.now())) return this.limit('frames', `other frames faster than ${OTHER_FRAMES_PER_SECOND}/s`);
        return this.audit(msg);
      case 'channel-open':
      case 'channel-accept':
      case 'channel-data':
      case 'channel-credit':
      case 'channel-close':
        if (this.state === 'hello') return this.fail(CLOSE.outOfOrder, `${msg.type} before hello`);
        if (this.assist) {
          if (!this.assist.messageIsBulk(msg) && !this.otherFrames.tryTake(1, performance.now())) return this.limit('frames', `other frames faster than ${OTHER_FRAMES_PER_SECOND}/s`);
          return this.assist.channel(msg as ChannelMessage);
        }
        if (!this.otherFrames.tryTake(1, performance.now())) return this.limit('frames', `other frames faster than ${OTHER_FRAMES_PER_SECOND}/s`);
        if (msg.type === 'channel-open') this.send({ type: 'channel-close', channel: msg.channel, reason: 'not_supported' });
        else logger.debug({ agent: this.agentId, type: msg.type }, 'ignoring a frame for a channel that is not open');
        return;
    }
  }

  /**
   * Audit records: stored (checked against the agent's chain) in a durable commit, then acknowledged; a break is
   * logged here and shown to engineers as the agent's AUDIT_CHAIN_BROKEN occurrence by the store.
   */
  private audit(msg: AuditMessage): void {
    const agentId = this.agentId!;
    this.d.queue
      .push({ kind: 'audit', agentId, lines: msg.lines, at: this.d.now().toISOString() }, this)
      .then((r) => {
        const intake = r.audit!;
        for (const b of intake.breaks) this.d.logger.warn({ agent: agentId, seq: b.seq, problem: b.kind, detail: b.message }, 'audit chain broken at the desk');
        this.send({ type: 'audit-ack', upToSeq: intake.ackSeq });
      })
      .catch((err: Error) => this.storeError(err));
  }

  /** What the agent's quotas refused: logged (and recorded by the store); the agent is told by a close at most hourly. */
  private refused(refused: Refused): void {
    const agentId = this.agentId!;
    for (const [kind, count] of Object.entries(refused) as [QuotaKind, number][]) {
      const text = refusalText(kind, count, this.d.config.limits);
      noticeLimit(this.d, agentId, kind, text, count, false);
      if (this.state !== 'closed' && this.d.limits.quotaCloseDue(agentId, kind)) {
        // Everything committed is acknowledged first: the agent must not resend what the desk refused.
        this.acks.flush(true);
        this.close(CLOSE.quotaReached, text);
        return;
      }
    }
  }

  /** A rate limit closes the connection; the agent reconnects with backoff. */
  private limit(kind: LimitKind, detail: string): void {
    // Logged (at most once a minute) by noticeLimit: a flood of closes must not become a flood of log lines.
    noticeLimit(this.d, this.agentId ?? this.certAgentId, kind, detail);
    this.close(CLOSE.rateLimited, `rate limited: ${detail}`);
  }

  private storeError(err: Error): void {
    if (this.state === 'closed') return;
    this.d.logger.error({ agent: this.agentId, err: err.message }, 'desk store failed; closing the agent connection (nothing unacknowledged is lost)');
    this.close(CLOSE.internalError, 'desk storage error');
  }

  private fail(code: CloseCode, reason: string): void {
    this.d.logger.warn({ agent: this.agentId ?? this.certAgentId, remote: this.remote, closeCode: code, reason }, 'closing agent connection: protocol error');
    this.close(code, reason);
  }

  private onClose(code: number, reason: string): void {
    this.state = 'closed';
    clearTimeout(this.helloTimer);
    this.acks.stop();
    this.d.registry.release(this);
    this.assist?.closed();
    if (!this.agentId) return;
    this.d.logger.info({ agent: this.agentId, closeCode: code, reason }, 'agent disconnected');
    this.d.queue
      .push({ kind: 'disconnected', agentId: this.agentId, connId: this.connId, at: this.d.now().toISOString(), reason: `${code} ${reason}`.trim() })
      .catch((err: Error) => this.d.logger.error({ err: err.message }, 'recording a disconnect failed'));
  }

  /** False when the connection is no longer open (nothing was sent). */
  private send(m: DeskMessage): boolean {
    if (this.ws.readyState !== this.ws.OPEN) return false;
    this.ws.send(JSON.stringify(m));
    return true;
  }
}
