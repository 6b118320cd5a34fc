import type { Logger } from 'pino';
import type WebSocket from 'ws';
import type { FaultTransition } from '../core/faults/types.js';
import { encodedTransition } from '../core/store/outbox.js';
import { between } from './backoff.js';
import { PingWatch } from './liveness.js';
import { HeartbeatBuilder } from './heartbeat.js';
import type { CertRenewal } from './cert-renewal.js';
import type { TunnelHost } from './host.js';
import { fitFaults, nextBatch, wireTransition } from './outbox-reader.js';
import { ChannelFrameBudget } from './channels/frame-budget.js';
import { ChannelMux, type MuxOptions, type OpenHandler } from './channels/mux.js';
import type { FrameTransport } from './channels/scheduler.js';
import { closeReason, decodeFrame } from './protocol/codec.js';
import {
  agentCapabilities,
  CLOSE,
  DESK_FRAME_BURST,
  DESK_FRAMES_PER_SECOND,
  DESK_FRAMES_QUEUED,
  MAX_AGENT_FRAME_BYTES,
  MAX_AUDIT_BATCH,
  MAX_DESK_FRAME_BYTES,
  MAX_SNAPSHOT_FAULTS,
  PROTOCOL_VERSION,
  type CloseCode,
} from './protocol/constants.js';
import { CHANNEL_TYPES } from './protocol/messages.js';
import type {
  AgentHello,
  AgentMessage,
  AssistEndMessage,
  AssistRequestMessage,
  AssistStateMessage,
  ChannelMessage,
  DeskHello,
  DeskMessage,
  FaultAckMessage,
} from './protocol/messages.js';

const isChannelMessage = (m: DeskMessage): m is ChannelMessage & DeskMessage => (CHANNEL_TYPES as string[]).includes(m.type);

/** Room for the snapshot's faults in one frame the desk accepts, with margin for the envelope. */
const SNAPSHOT_BYTES = MAX_AGENT_FRAME_BYTES - 64 * 1024;

export interface SessionTiming {
  pingMinMs: number;
  pingMaxMs: number;
  /** Pings in a row without a pong after which the desk is taken for dead. */
  missedPongs: number;
  helloTimeoutMs: number;
  /** How often to look for transitions that became durable since (a failed write succeeded later). */
  pokeMs: number;
}

export interface SessionLimits {
  batchEvents: number;
  batchBytes: number;
  windowEvents: number;
}

/**
 * Remote assistance on this connection: present only when it is enabled (hello then says "assist"). The tunnel
 * carries it and knows no kinds or policy: channels go to `onOpen`, session messages to `sessions`, and the audit
 * log is delivered from `audit`.
 */
export interface AssistSetup {
  onOpen: OpenHandler;
  options?: Partial<Omit<MuxOptions, 'side' | 'warn'>>;
  /** Each connection's mux, when it is made (to open channels, end sessions). */
  onMux?(mux: ChannelMux): void;
  sessions?: AssistPeer;
  audit?: AuditFeed;
}

/** The assistance session layer, as one desk connection sees it. */
export interface AssistPeer {
  /** The desk said hello: session states go out with `send` until `disconnected`. */
  connected(send: (m: AssistStateMessage) => void): void;
  request(m: AssistRequestMessage): void;
  end(m: AssistEndMessage): void;
  /** The connection is gone: every session it carried ends (a tunnel drop ends assistance, by design). */
  disconnected(): void;
}

/** The local audit log, delivered to the desk in order, at least once (agent/assist/audit). */
export interface AuditFeed {
  readonly lastSeq: number;
  linesAfter(seq: number, maxLines: number, maxBytes: number): Promise<{ seq: number; line: string }[]>;
  onAppend(listener: () => void): () => void;
}

/** Audit bytes per frame, at most (one line may go over it alone; lines are at most MAX_AUDIT_LINE_BYTES). */
const AUDIT_FRAME_BYTES = 128 * 1024;

export interface SessionOptions {
  host: TunnelHost;
  logger: Logger;
  agentId: string;
  agentVersion: string;
  site: AgentHello['site'];
  profile: string;
  lastAckedSeq: number;
  timing: SessionTiming;
  limits: SessionLimits;
  random: () => number;
  now: () => Date;
  /** The desk said hello; runs before the snapshot is sent (the tunnel reports reachability and skew here). */
  onEstablished(hello: DeskHello, skewSeconds: number, rttMs: number): Promise<void>;
  /** A fresh skew observation (heartbeat answered). */
  onSkew(skewSeconds: number, rttMs: number): void;
  onAcked(seq: number): void;
  onContact(): void;
  assist?: AssistSetup;
  /** Certificate renewal through this connection (only when the desk hello says canRenew). */
  renewal?: CertRenewal;
}

export interface SessionEnd {
  established: boolean;
  code: number;
  reason: string;
  /** Set when the agent closed because the desk's messages could cost it data or memory (DESK_PROTOCOL_VIOLATION). */
  violation?: { code: CloseCode; reason: string };
}

/** Agent-side closes that raise DESK_PROTOCOL_VIOLATION: the ones where obeying the desk would lose events or memory. */
const VIOLATIONS: ReadonlySet<number> = new Set([CLOSE.deskAhead, CLOSE.deskFlood]);

type State = 'hello' | 'syncing' | 'ready' | 'closed';

/**
 * One connection to the desk, from hello to close: resume after the desk's last committed seq, snapshot, events from
 * the outbox within the in-flight window, cumulative acks, heartbeats, pings, desk acknowledgements. Every desk
 * frame is validated; a bad one closes the connection with its close code and a logged reason.
 */
export class DeskSession {
  private state: State = 'hello';
  private established = false;
  private sentUpTo = 0;
  private ackedUpTo = 0;
  /** Seqs sent and not yet acknowledged, oldest first. */
  private inFlight: number[] = [];
  private policy: SessionLimits;
  private heartbeatMs = 60_000;
  private chain: Promise<void> = Promise.resolve();
  private readonly timers = new Set<NodeJS.Timeout>();
  private ping?: PingWatch;
  private helloSentAt = 0;
  private heartbeatSentAt = 0;
  private closeNote?: string;
  private violation?: SessionEnd['violation'];
  private readonly heartbeat = new HeartbeatBuilder();
  /** Token bucket over desk frames: a hostile or broken desk must not grow the agent's memory with its queue. */
  private frameTokens = DESK_FRAME_BURST;
  private tokensAt = Date.now();
  private queued = 0;
  /** Assistance channels, when enabled; their data goes out behind everything this session sends. */
  private readonly mux?: ChannelMux;
  private readonly budget?: ChannelFrameBudget;
  /** Audit delivery: highest seq sent, and whether a frame awaits its audit-ack (one at a time). */
  private auditSentUpTo = 0;
  private auditInFlight = false;
  private auditReading = false;
  private stopAuditFeed?: () => void;
  private assistConnected = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly o: SessionOptions,
  ) {
    this.policy = { ...o.limits };
    if (o.assist) {
      const budget = (this.budget = new ChannelFrameBudget((id) => this.mux!.has(id)));
      // The mux sends control frames as text and data as binary: counting the binary ones bounds the desk's credits.
      const transport: FrameTransport = {
        send: (data) => {
          if (typeof data !== 'string') budget.sentData();
          ws.send(data);
        },
        get bufferedAmount() {
          return ws.bufferedAmount;
        },
      };
      this.mux = new ChannelMux(transport, { ...o.assist.options, side: 'agent', warn: (fields, message) => o.logger.warn(fields, message) });
      this.mux.onOpen(o.assist.onOpen);
      o.assist.onMux?.(this.mux);
    }
  }

  get ackedSeq(): number {
    return this.ackedUpTo;
  }

  run(): Promise<SessionEnd> {
    return new Promise((resolve) => {
      const ws = this.ws;
      ws.on('message', (data, isBinary) => this.onFrame(data as Buffer, isBinary));
      ws.on('pong', () => this.o.onContact());
      ws.on('error', (err) => {
        this.closeNote ??= err.message;
        this.o.logger.warn({ err: err.message }, 'desk connection error');
      });
      ws.on('close', (code, reason) => {
        this.state = 'closed';
        this.mux?.closeAll('connection_lost');
        this.stopAuditFeed?.();
        if (this.assistConnected) this.o.assist?.sessions?.disconnected();
        for (const t of this.timers) clearTimeout(t);
        this.ping?.stop();
        resolve({
          established: this.established,
          code,
          reason: this.closeNote ?? (`closed by the desk (${code}) ${reason.toString()}`.trim()),
          ...(this.violation ? { violation: this.violation } : {}),
        });
      });
      this.helloSentAt = Date.now();
      this.send({
        type: 'hello',
        protocol: PROTOCOL_VERSION,
        agentId: this.o.agentId,
        agentVersion: this.o.agentVersion,
        capabilities: agentCapabilities(this.mux !== undefined),
        lastAckedSeq: this.o.lastAckedSeq,
        seq: this.o.host.store.lastSeq,
        site: this.o.site,
        profile: this.o.profile,
        sentAt: this.o.now().toISOString(),
      });
      this.after(this.o.timing.helloTimeoutMs, () => {
        if (this.state === 'hello') this.fail(CLOSE.helloTimeout, `no desk hello within ${this.o.timing.helloTimeoutMs} ms`);
      });
      const { pingMinMs, pingMaxMs, missedPongs } = this.o.timing;
      this.ping = new PingWatch(ws, {
        minMs: pingMinMs,
        maxMs: pingMaxMs,
        missedPongs,
        random: this.o.random,
        onDead: (why) => {
          this.closeNote = why;
          this.o.logger.warn(why);
        },
      });
    });
  }

  /** Sends what the outbox holds beyond what was sent, within the window. Cheap when there is nothing to do. */
  pump(): void {
    if (this.state !== 'ready' || this.ws.readyState !== this.ws.OPEN) return;
    const store = this.o.host.store;
    while (this.inFlight.length < this.policy.windowEvents) {
      const room = this.policy.windowEvents - this.inFlight.length;
      const batch = nextBatch(store.pendingTransitions(), this.sentUpTo, store.durableSeq, {
        events: Math.min(this.policy.batchEvents, room),
        bytes: this.policy.batchBytes,
      });
      if (!batch.length) return;
      this.ws.send(eventsFrame(batch), { binary: false });
      this.sentUpTo = batch.at(-1)!.seq;
      for (const t of batch) this.inFlight.push(t.seq);
    }
  }

  /** Ends the connection from our side (the agent is stopping). */
  close(code: CloseCode = CLOSE.normal, reason = 'agent stopping'): void {
    this.closeNote ??= reason;
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close(code, closeReason(reason));
    this.after(2000, () => this.ws.terminate());
  }

  private onFrame(data: Buffer, isBinary: boolean): void {
    if (this.state === 'closed') return;
    this.o.onContact();
    // Channel data and credit within the flow control are bounded by it; every other frame counts against the bucket.
    if (isBinary && this.mux) {
      const flood = this.budget!.binaryIsBulk(data) ? undefined : this.overRate();
      if (flood) return this.fail(CLOSE.deskFlood, flood);
      return this.onChannelData(data);
    }
    const decoded = decodeFrame(data, isBinary, 'desk', MAX_DESK_FRAME_BYTES);
    const bulk = decoded.ok && this.budget !== undefined && isChannelMessage(decoded.message) && this.budget.messageIsBulk(decoded.message);
    const flood = bulk ? undefined : this.overRate();
    if (flood) return this.fail(CLOSE.deskFlood, flood);
    if (!decoded.ok) return this.fail(decoded.close, decoded.reason);
    const msg = decoded.message;
    // Handled in arrival order, one at a time: a handler may wait for the store.
    this.queued++;
    this.chain = this.chain
      .then(() => (this.state === 'closed' ? undefined : this.handle(msg)))
      .catch((err: unknown) => {
        this.o.logger.error({ err }, 'handling a desk message failed');
        this.fail(CLOSE.internalError, `agent error: ${(err as Error).message}`);
      })
      .finally(() => void this.queued--);
  }

  /** Binary channel data, in line with the desk's other frames (a close after data must not overtake it). */
  private onChannelData(data: Buffer): void {
    if (data.length > MAX_DESK_FRAME_BYTES) return this.fail(CLOSE.tooBig, `frame of ${data.length} bytes exceeds ${MAX_DESK_FRAME_BYTES}`);
    const mux = this.mux!;
    this.queued++;
    this.chain = this.chain
      .then(() => {
        if (this.state === 'hello') return this.fail(CLOSE.outOfOrder, 'channel data before desk hello');
        if (this.state !== 'closed') mux.handleBinary(data);
      })
      .finally(() => void this.queued--);
  }

  /** Why the desk's frames are too many (a reason for close 4009), or undefined while within the limits. */
  private overRate(): string | undefined {
    const now = Date.now();
    this.frameTokens = Math.min(DESK_FRAME_BURST, this.frameTokens + ((now - this.tokensAt) / 1000) * DESK_FRAMES_PER_SECOND);
    this.tokensAt = now;
    if (this.queued >= DESK_FRAMES_QUEUED) return `${this.queued} desk frames waiting to be handled (at most ${DESK_FRAMES_QUEUED})`;
    if (this.frameTokens < 1) return `the desk sent more than ${DESK_FRAME_BURST} frames at once or ${DESK_FRAMES_PER_SECOND} a second`;
    this.frameTokens -= 1;
    return undefined;
  }

  private async handle(msg: DeskMessage): Promise<void> {
    if (this.state === 'hello' && msg.type !== 'hello') return this.fail(CLOSE.outOfOrder, `"${msg.type}" before desk hello`);
    switch (msg.type) {
      case 'hello':
        if (this.state !== 'hello') return this.fail(CLOSE.outOfOrder, 'a second desk hello');
        return this.onHello(msg);
      case 'ack':
        return this.onAck(msg.upToSeq);
      case 'fault-ack':
        return this.onFaultAck(msg);
      case 'heartbeat-ack': {
        const now = Date.now();
        if (!this.heartbeatSentAt) return; // unasked for, or a second answer to the same heartbeat: nothing to learn
        const sentAt = this.heartbeatSentAt;
        this.heartbeatSentAt = 0;
        this.o.onSkew(((sentAt + now) / 2 - Date.parse(msg.deskTime)) / 1000, now - sentAt);
        return;
      }
      case 'assist-request':
      case 'assist-end':
        if (!this.o.assist?.sessions) return this.fail(CLOSE.unknownType, `"${msg.type}" to an agent without the assist capability`);
        if (msg.type === 'assist-request') this.o.assist.sessions.request(msg);
        else this.o.assist.sessions.end(msg);
        return;
      case 'audit-ack':
        return this.onAuditAck(msg.upToSeq);
      case 'renewed':
      case 'renew-refused':
        return this.o.renewal?.answer(msg);
      case 'channel-open':
      case 'channel-accept':
      case 'channel-data':
      case 'channel-credit':
      case 'channel-close':
        // Not awaited: an open waits for its handler (the operator's consent), and acks must not wait behind it.
        if (this.mux) return void this.mux.handle(msg);
        // Assistance is disabled here: refuse politely, the desk may ask agents that can.
        if (msg.type === 'channel-open') this.send({ type: 'channel-close', channel: msg.channel, reason: 'not_supported' });
        else this.o.logger.debug({ type: msg.type }, 'ignoring a channel frame for a channel that is not open');
        return;
    }
  }

  private async onHello(hello: DeskHello): Promise<void> {
    if (hello.protocol !== PROTOCOL_VERSION) return this.fail(CLOSE.unsupportedVersion, `desk speaks protocol ${hello.protocol}, agent ${PROTOCOL_VERSION}`);
    const now = Date.now();
    const rtt = now - this.helloSentAt;
    const skew = ((this.helloSentAt + now) / 2 - Date.parse(hello.deskTime)) / 1000;
    this.state = 'syncing';
    const p = hello.policy;
    this.policy = {
      batchEvents: Math.min(this.o.limits.batchEvents, p.maxBatchEvents),
      batchBytes: Math.min(this.o.limits.batchBytes, p.maxBatchBytes),
      windowEvents: Math.min(this.o.limits.windowEvents, p.windowEvents),
    };
    this.heartbeatMs = p.heartbeatSeconds * 1000;
    const store = this.o.host.store;
    const committed = hello.lastCommittedSeq;
    if (committed > store.lastSeq) {
      // Believing it would drop every unacknowledged event as delivered. The desk's record is what is wrong (restored
      // from another terminal's backup, a bug): keep everything, say so, and let an engineer look.
      return this.fail(CLOSE.deskAhead, `desk hello says seqs up to ${committed} are committed, but this agent has assigned only up to ${store.lastSeq}; keeping all ${store.pendingTransitions().length} undelivered events`);
    }
    if (committed < this.o.lastAckedSeq) {
      // The desk's database went backwards (restored from a backup): what it acknowledged after `committed` and the
      // agent then dropped is gone, the rest is sent again below, and the snapshot restates every active fault.
      this.o.logger.warn(
        { deskCommitted: committed, agentAcked: this.o.lastAckedSeq, resending: store.pendingTransitions().length },
        'the desk has lost events it had acknowledged; re-sending everything still held, the snapshot restates the active faults',
      );
    }
    this.sentUpTo = this.ackedUpTo = committed;
    if (committed > 0) void store.ackUpTo(committed).catch((err: unknown) => this.o.logger.error({ err }, 'outbox ack failed'));
    this.o.onAcked(committed);
    this.established = true;
    await this.o.onEstablished(hello, skew, rtt);
    if (this.state !== 'syncing') return;
    const fit = fitFaults(this.o.host.engine.active(), MAX_SNAPSHOT_FAULTS, SNAPSHOT_BYTES);
    if (!fit.complete) this.o.logger.warn({ sent: fit.faults.length }, 'too many active faults for one snapshot; sending the most severe');
    this.send({ type: 'snapshot', asOfSeq: store.lastSeq, at: this.o.now().toISOString(), faults: fit.faults, ...(fit.complete ? {} : { complete: false }) });
    this.state = 'ready';
    this.sendHeartbeat();
    this.every(this.o.timing.pokeMs, () => this.pump());
    this.pump();
    if (this.o.assist?.sessions) {
      this.assistConnected = true;
      this.o.assist.sessions.connected((m) => this.send(m));
    }
    this.startAudit(hello.lastAuditSeq ?? 0);
    if (hello.canRenew) void this.o.renewal?.ready((m) => this.send(m)).catch((err: Error) => this.o.logger.error({ err: err.message }, 'certificate renewal failed'));
  }

  /** Delivers the audit log from after what the desk has stored; one frame in flight, more on each audit-ack. */
  private startAudit(deskHas: number): void {
    const feed = this.o.assist?.audit;
    if (!feed) return;
    if (deskHas > feed.lastSeq) {
      // The desk claims records this log never had (another terminal's backup, a bug). Nothing is lost locally;
      // send what comes after its claim and let the desk's continuity check show the fork.
      this.o.logger.warn({ deskLastAuditSeq: deskHas, agentLastAuditSeq: feed.lastSeq }, 'the desk claims audit records beyond this agent\'s log');
    }
    this.auditSentUpTo = deskHas;
    this.stopAuditFeed = feed.onAppend(() => this.pumpAudit());
    this.pumpAudit();
  }

  private pumpAudit(): void {
    const feed = this.o.assist?.audit;
    if (!feed || this.state !== 'ready' || this.auditInFlight || this.auditReading || feed.lastSeq <= this.auditSentUpTo) return;
    this.auditReading = true;
    feed
      .linesAfter(this.auditSentUpTo, MAX_AUDIT_BATCH, AUDIT_FRAME_BYTES)
      .then((records) => {
        this.auditReading = false;
        if (this.state !== 'ready' || !records.length) return;
        this.auditInFlight = true;
        this.auditSentUpTo = records.at(-1)!.seq;
        this.send({ type: 'audit', lines: records.map((r) => r.line) });
      })
      .catch((err: unknown) => {
        this.auditReading = false;
        this.o.logger.error({ err: (err as Error).message }, 'reading the audit log for the desk failed; retrying on the next record');
      });
  }

  private onAuditAck(upTo: number): void {
    if (!this.o.assist?.audit) return this.fail(CLOSE.outOfOrder, 'audit-ack to an agent that sends no audit');
    if (upTo > this.auditSentUpTo) return this.fail(CLOSE.outOfOrder, `audit-ack ${upTo} beyond the last audit record sent (${this.auditSentUpTo})`);
    if (upTo < this.auditSentUpTo) return; // an older frame's ack, the current one's follows
    this.auditInFlight = false;
    this.pumpAudit();
  }

  private onAck(upTo: number): void {
    if (upTo > this.sentUpTo) return this.fail(CLOSE.outOfOrder, `ack ${upTo} beyond the last seq sent (${this.sentUpTo})`);
    if (upTo < this.ackedUpTo) return this.fail(CLOSE.outOfOrder, `ack ${upTo} below an earlier ack (${this.ackedUpTo})`);
    if (upTo === this.ackedUpTo) return;
    this.ackedUpTo = upTo;
    let n = 0;
    while (n < this.inFlight.length && this.inFlight[n]! <= upTo) n++;
    this.inFlight.splice(0, n);
    void this.o.host.store.ackUpTo(upTo).catch((err: unknown) => this.o.logger.error({ err }, 'outbox ack failed'));
    this.o.onAcked(upTo);
    this.pump();
  }

  private async onFaultAck(msg: FaultAckMessage): Promise<void> {
    const fault = this.o.host.engine.active().find((f) => f.id === msg.faultId);
    let outcome: 'applied' | 'already-acknowledged' | 'not-open';
    if (!fault) outcome = 'not-open';
    else if (fault.state === 'acknowledged') outcome = 'already-acknowledged';
    else outcome = (await this.o.host.acknowledge(fault.id, msg.by, msg.note)) ? 'applied' : 'not-open';
    this.o.logger.info({ faultId: msg.faultId, code: fault?.code, by: msg.by, outcome }, 'desk acknowledgement');
    if (this.state !== 'closed') this.send({ type: 'fault-ack-result', ackId: msg.ackId, outcome });
  }

  private sendHeartbeat(): void {
    if (this.state !== 'ready') return;
    this.heartbeatSentAt = Date.now();
    this.send(this.heartbeat.build(this.o.host, this.o.now()));
    this.after(between(this.heartbeatMs * 0.9, this.heartbeatMs * 1.1, this.o.random), () => this.sendHeartbeat());
  }

  private fail(code: CloseCode, reason: string): void {
    if (this.state === 'closed') return;
    this.o.logger.warn({ closeCode: code, reason }, 'closing the desk connection: protocol error');
    this.closeNote = `closed by the agent (${code}): ${reason}`;
    if (VIOLATIONS.has(code)) this.violation = { code, reason };
    this.state = 'closed';
    this.close(code, reason);
  }

  private send(m: AgentMessage): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(m));
  }

  private after(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  private every(ms: number, fn: () => void): void {
    const t = setInterval(fn, ms);
    t.unref();
    this.timers.add(t);
  }
}

/** An events frame built from the transitions' cached JSON, so a resend costs no new serialization. */
function eventsFrame(batch: FaultTransition[]): Buffer {
  const parts: Buffer[] = [Buffer.from('{"type":"events","events":[')];
  batch.forEach((t, i) => {
    if (i) parts.push(Buffer.from(','));
    const wire = wireTransition(t);
    parts.push(wire === t ? encodedTransition(t) : Buffer.from(JSON.stringify(wire)));
  });
  parts.push(Buffer.from(']}'));
  return Buffer.concat(parts);
}
