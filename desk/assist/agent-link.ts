import type WebSocket from 'ws';
import type { Channel } from '../../agent/tunnel/channels/channel.js';
import type { ChannelCloseReason } from '../../agent/tunnel/channels/close-reasons.js';
import { ChannelFrameBudget } from '../../agent/tunnel/channels/frame-budget.js';
import { ChannelMux, type OpenOptions } from '../../agent/tunnel/channels/mux.js';
import type { FrameTransport } from '../../agent/tunnel/channels/scheduler.js';
import type { AssistEndMessage, AssistRequestMessage, AssistStateMessage, ChannelMessage, DeskMessage } from '../../agent/tunnel/protocol/messages.js';
import type { AgentAssistPort, AgentAssistSink } from './agent-port.js';

interface LinkLogger {
  warn(fields: Record<string, unknown>, message: string): void;
}

/** Desk → agent channel data per frame, at most: well under the agent's frame limit (MAX_DESK_FRAME_BYTES, 256 KiB). */
const MAX_CHUNK = 64 * 1024;

/**
 * The assistance side of one agent connection that offers it: a ChannelMux (the desk's side, odd channel numbers) on
 * the connection, fed the agent's channel messages and binary frames, and the session messages both ways. The desk
 * only opens channels (for engineers); one the agent opens is refused not_supported. Knows which channel frames are
 * bulk, so a fast transfer never trips the desk's frame rate limit while control frames stay bounded.
 */
export class AgentAssistLink implements AgentAssistPort {
  readonly mux: ChannelMux;
  private readonly budget: ChannelFrameBudget;
  private live = true;

  constructor(
    ws: WebSocket,
    readonly agentId: string,
    private readonly send: (m: DeskMessage) => boolean,
    private readonly sink: AgentAssistSink,
    logger: LinkLogger,
  ) {
    const budget = (this.budget = new ChannelFrameBudget((id) => this.mux.has(id)));
    // The mux sends control frames as text and data as binary: counting the binary ones bounds the agent's credits.
    const transport: FrameTransport = {
      send: (data) => {
        if (typeof data !== 'string') budget.sentData();
        ws.send(data);
      },
      get bufferedAmount() {
        return ws.bufferedAmount;
      },
    };
    this.mux = new ChannelMux(transport, { side: 'desk', maxChunk: MAX_CHUNK, warn: (fields, message) => logger.warn({ agent: agentId, ...fields }, message) });
  }

  get connected(): boolean {
    return this.live;
  }

  /** True when the frame is bulk channel data (not counted against the frame limit). */
  binaryIsBulk(frame: Buffer): boolean {
    return this.budget.binaryIsBulk(frame);
  }

  messageIsBulk(m: ChannelMessage): boolean {
    return this.budget.messageIsBulk(m);
  }

  channel(m: ChannelMessage): void {
    void this.mux.handle(m);
  }

  binary(frame: Buffer): void {
    this.mux.handleBinary(frame);
  }

  state(m: AssistStateMessage): void {
    this.sink.stateReceived(this, m);
  }

  sendRequest(m: AssistRequestMessage): boolean {
    return this.live && this.send(m);
  }

  sendEnd(m: AssistEndMessage): boolean {
    return this.live && this.send(m);
  }

  async openChannel(o: OpenOptions): Promise<Channel> {
    return this.mux.open(o);
  }

  closeSession(sessionId: string, reason: ChannelCloseReason = 'session_ended'): void {
    this.mux.closeSession(sessionId, reason);
  }

  /** The connection closed: every channel ends, and the requests it carried with it. */
  closed(): void {
    if (!this.live) return;
    this.live = false;
    this.mux.closeAll('connection_lost');
    this.sink.agentGone(this);
  }
}
