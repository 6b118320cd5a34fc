import type { Channel } from '../../agent/tunnel/channels/channel.js';
import type { ChannelCloseReason } from '../../agent/tunnel/channels/close-reasons.js';

/**
 * Pipes an engineer's channel and the channel the desk opened to the agent for it, both ways. Each side is read only
 * as fast as the other side's write() resolves (the channel hands its reader the next chunk only after the previous
 * one's promise settled, and grants credit as it consumes): the end-to-end credit is preserved, and the desk holds at
 * most each channel's window plus the one chunk in flight — a slow engineer slows the agent, never grows the desk.
 * When one side closes, the other closes with the same reason, after the bytes already read were delivered.
 */
export function relayChannels(engineer: Channel, agent: Channel): void {
  // The session may have ended between the agent's accept and the engineer's.
  if (agent.closed) return engineer.close(mapToEngineer(agent.closed));
  engineer.setReader((chunk) => agent.write(chunk));
  agent.setReader((chunk) => engineer.write(chunk));
  // connection_lost is reported locally and never sent: the engineer learns the agent's connection went as its
  // session ending; the agent learns the engineer's went as the local end failing.
  engineer.once('close', (reason: ChannelCloseReason) => agent.close(reason === 'connection_lost' ? 'error' : reason));
  agent.once('close', (reason: ChannelCloseReason) => engineer.close(mapToEngineer(reason)));
}

const mapToEngineer = (reason: ChannelCloseReason): ChannelCloseReason => (reason === 'connection_lost' ? 'session_ended' : reason);
