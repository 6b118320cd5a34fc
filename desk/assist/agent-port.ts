import type { Channel } from '../../agent/tunnel/channels/channel.js';
import type { ChannelCloseReason } from '../../agent/tunnel/channels/close-reasons.js';
import type { OpenOptions } from '../../agent/tunnel/channels/mux.js';
import type { AssistEndMessage, AssistRequestMessage, AssistStateMessage } from '../../agent/tunnel/protocol/messages.js';

/**
 * One agent connection as remote assistance sees it: only connections whose hello listed the "assist" capability
 * have one, so nothing of assistance is ever sent to an agent without it.
 */
export interface AgentAssistPort {
  readonly agentId: string;
  /** False once the connection closed. */
  readonly connected: boolean;
  sendRequest(m: AssistRequestMessage): boolean;
  sendEnd(m: AssistEndMessage): boolean;
  /** Opens a channel to the agent; rejects with the agent's reason (`.reason`) when it refuses. */
  openChannel(o: OpenOptions): Promise<Channel>;
  /** Closes every channel of the agent's session on this connection. */
  closeSession(sessionId: string, reason?: ChannelCloseReason): void;
}

/** What an agent connection tells the assistance hub. */
export interface AgentAssistSink {
  stateReceived(port: AgentAssistPort, m: AssistStateMessage): void;
  /** The connection closed: the requests it carried are over. */
  agentGone(port: AgentAssistPort): void;
}
