import type { ChannelMessage } from '../protocol/messages.js';

/** Credit frames a peer may send beyond one per data frame it was sent (its grants may lag or lead a little). */
const CREDIT_SLACK = 64;

/**
 * Which channel frames from the peer are bulk — bounded by flow control already — and which count against the
 * receiver's limit on the peer's other frames (the agent's desk-frame bucket, the desk's per-agent limits). Data on an
 * open channel is bounded by the credit this end granted (beyond it the channel closes), and the peer's credit
 * frames by the data this end sent (it grants as it consumes): neither may trip a rate limit however fast a transfer
 * runs. Everything else — opens, accepts, closes, empty data frames (which use no credit), data for channels that are
 * not open, credit for nothing sent — is a control frame and is counted. Both ends use it (one per connection).
 */
export class ChannelFrameBudget {
  private dataFramesSent = 0;
  private creditsTaken = 0;

  /** `isOpen`: whether a channel number is open on this connection now (ChannelMux.has). */
  constructor(private readonly isOpen: (channel: number) => boolean) {}

  /** This end sent the peer one data frame. */
  sentData(): void {
    this.dataFramesSent++;
  }

  /** A binary data frame from the peer: bulk when it carries bytes for an open channel. */
  binaryIsBulk(frame: Buffer): boolean {
    return frame.length > 4 && this.isOpen(frame.readUInt32BE(0));
  }

  /** A channel message from the peer: bulk for data (text form) and credit within what this end sent. */
  messageIsBulk(m: ChannelMessage): boolean {
    if (m.type === 'channel-data') return m.data.length > 0 && this.isOpen(m.channel);
    if (m.type === 'channel-credit' && this.isOpen(m.channel) && this.creditsTaken < this.dataFramesSent + CREDIT_SLACK) {
      this.creditsTaken++;
      return true;
    }
    return false;
  }
}
