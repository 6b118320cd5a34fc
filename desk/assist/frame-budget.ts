import type { ChannelMessage } from '../../agent/tunnel/protocol/messages.js';

/** Credit frames an agent may send beyond one per data frame the desk sent it (its grants may lag or lead a little). */
const CREDIT_SLACK = 64;

/**
 * Which channel frames from an agent are bulk — bounded by flow control already — and which count against the desk's
 * limit on an agent's other frames (desk/server/agent-limits). Data on a channel the desk opened is bounded by the
 * credit the desk granted (beyond it the channel closes), and the agent's credit frames by the data the desk sent
 * (it grants as it consumes): neither may trip the rate limit however fast a transfer runs. Everything else — opens,
 * accepts, closes, empty data frames (which use no credit), data for channels that are not open, credit for nothing
 * sent — is a control frame and is counted.
 */
export class ChannelFrameBudget {
  private readonly open = new Set<number>();
  private dataFramesSent = 0;
  private creditsTaken = 0;

  opened(channel: number): void {
    this.open.add(channel);
  }

  closed(channel: number): void {
    this.open.delete(channel);
  }

  /** The desk sent the agent one data frame. */
  sentData(): void {
    this.dataFramesSent++;
  }

  /** A binary data frame from the agent: bulk when it carries bytes for an open channel. */
  binaryIsBulk(frame: Buffer): boolean {
    return frame.length > 4 && this.open.has(frame.readUInt32BE(0));
  }

  /** A channel message from the agent: bulk for data (text form) and credit within what the desk sent. */
  messageIsBulk(m: ChannelMessage): boolean {
    if (m.type === 'channel-data') return m.data.length > 0 && this.open.has(m.channel);
    if (m.type === 'channel-credit' && this.open.has(m.channel) && this.creditsTaken < this.dataFramesSent + CREDIT_SLACK) {
      this.creditsTaken++;
      return true;
    }
    return false;
  }
}
