import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type WebSocket from 'ws';
import { closeReason, decodeFrame } from '../../agent/tunnel/protocol/codec.js';
import { CLOSE, MAX_AGENT_FRAME_BYTES, PROTOCOL_VERSION, type CloseCode } from '../../agent/tunnel/protocol/constants.js';
import type { AgentMessage, DeskMessage } from '../../agent/tunnel/protocol/messages.js';
import type { DeskConfig } from '../config.js';
import type { AckRecord, DeskStore } from '../store/types.js';
import type { IngestQueue, OpOwner } from './ingest-queue.js';
import type { SessionRegistry } from './session-registry.js';

export interface AgentSessionDeps {
  queue: IngestQueue;
  store: DeskStore;
  registry: SessionRegistry;
  config: DeskConfig;
  logger: Logger;
  now: () => Date;
}

type State = 'hello' | 'snapshot' | 'ready' | 'closed';

/**
 * The desk's side of one agent connection. The agent id comes from the client certificate and must match hello.
 * Order is enforced (hello, snapshot, then events/heartbeats; seqs increasing); every frame is validated, and a bad
 * one closes the connection with its close code and a logged reason. Events are acknowledged after commit.
 */
export class AgentSession implements OpOwner {
  storeFailed = false;
  readonly connId = randomUUID();
  agentId?: string;
  lastFrameAt = Date.now();
  private state: State = 'hello';
  private lastEventSeq = 0;
  private readonly helloTimer: NodeJS.Timeout;

  constructor(
    private readonly ws: WebSocket,
    readonly certAgentId: string,
    readonly remote: string,
    private readonly d: AgentSessionDeps,
  ) {
    d.registry.add(this);
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
        const committed = this.d.store.lastCommittedSeq(msg.agentId);
        const agent = { id: msg.agentId, site: msg.site, profile: msg.profile, version: msg.agentVersion, protocol: msg.protocol, remote: this.remote };
        queue.push({ kind: 'connected', agent, connId: this.connId, at }, this).catch((err: Error) => this.storeError(err));
        this.send({ type: 'hello', protocol: PROTOCOL_VERSION, deskTime: at, lastCommittedSeq: committed, policy: this.d.config.policy });
        this.state = 'snapshot';
        logger.info({ agent: msg.agentId, remote: this.remote, version: msg.agentVersion, committed, agentSeq: msg.seq }, 'agent connected');
        return;
      }
      case 'snapshot':
        if (this.state !== 'snapshot') return this.fail(CLOSE.outOfOrder, this.state === 'hello' ? 'snapshot before hello' : 'a second snapshot');
        this.state = 'ready';
        queue
          .push({ kind: 'snapshot', agentId: this.agentId!, asOfSeq: msg.asOfSeq, faults: msg.faults, complete: msg.complete !== false, agentAt: msg.at, at }, this)
          .then(() => {
            for (const a of this.d.store.pendingAcks(this.agentId!)) this.sendFaultAck(a);
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
        queue
          .push({ kind: 'events', agentId: this.agentId!, events: msg.events, at }, this)
          .then((r) => this.send({ type: 'ack', upToSeq: r.lastSeq! }))
          .catch((err: Error) => this.storeError(err));
        return;
      }
      case 'heartbeat':
        if (this.state !== 'ready') return this.fail(CLOSE.outOfOrder, 'heartbeat before the snapshot');
        queue.push({ kind: 'heartbeat', agentId: this.agentId!, health: msg.health, critical: msg.critical, at }, this).catch((err: Error) => this.storeError(err));
        this.send({ type: 'heartbeat-ack', deskTime: at });
        return;
      case 'fault-ack-result':
        if (this.state === 'hello') return this.fail(CLOSE.outOfOrder, 'fault-ack-result before hello');
        queue.push({ kind: 'ack-delivered', agentId: this.agentId!, ackId: msg.ackId, outcome: msg.outcome, at }, this).catch((err: Error) => this.storeError(err));
        logger.info({ agent: this.agentId, ackId: msg.ackId, outcome: msg.outcome }, 'acknowledgement reached the agent');
        return;
      case 'channel-open':
        if (this.state === 'hello') return this.fail(CLOSE.outOfOrder, 'channel-open before hello');
        this.send({ type: 'channel-close', channel: msg.channel, reason: 'not_supported' });
        return;
      default:
        logger.debug({ agent: this.agentId, type: msg.type }, 'ignoring a frame for a channel that is not open');
    }
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
    this.d.registry.release(this);
    if (!this.agentId) return;
    this.d.logger.info({ agent: this.agentId, closeCode: code, reason }, 'agent disconnected');
    this.d.queue
      .push({ kind: 'disconnected', agentId: this.agentId, connId: this.connId, at: this.d.now().toISOString(), reason: `${code} ${reason}`.trim() })
      .catch((err: Error) => this.d.logger.error({ err: err.message }, 'recording a disconnect failed'));
  }

  private send(m: DeskMessage): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(m));
  }
}
