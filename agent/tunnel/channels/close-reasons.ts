/**
 * Why a channel closed: a closed list, sent in `channel-close.reason` and documented in docs/protocol.md. The channel
 * layer knows no assistance kinds, so these say what happened to the channel, not which policy rule refused it (the
 * assistance audit records that).
 */
export const CHANNEL_CLOSE_REASONS = {
  done: 'the sender finished: the channel ended normally',
  not_supported: 'this agent offers no assistance channels (assistance is disabled in its configuration)',
  denied: "the receiver refused the open: its policy or its operator said no",
  timeout: 'no answer in time (an open not accepted within the opener\'s wait), or the channel was idle too long',
  session_ended: 'its session ended: every channel of the session closes at once',
  unknown_session: 'the open names a session that does not exist or has ended',
  bad_params: "the open's params are not valid for its kind (an unknown diagnostic action, bad arguments); the channel's first line says why",
  credit_exceeded: 'the peer sent more bytes than the credit it was granted (flow control)',
  bad_channel: "the channel number is already in use, or of the other side's parity (the agent opens even numbers, the desk odd ones)",
  protocol_error: 'a channel message out of place: data or an accept for a channel the receiver did not open, credit beyond 2147483647 bytes',
  too_many_channels: 'the receiver has as many channels open as it allows',
  error: 'the local end failed (e.g. the forwarded TCP connection or the process behind the channel)',
  connection_lost: 'the desk connection closed, and every channel with it (reported locally; never sent)',
} as const;

export type ChannelCloseReason = keyof typeof CHANNEL_CLOSE_REASONS;

export function isChannelCloseReason(s: string): s is ChannelCloseReason {
  return Object.hasOwn(CHANNEL_CLOSE_REASONS, s);
}
