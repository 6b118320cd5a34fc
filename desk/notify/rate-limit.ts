// A per-robot sending budget (default 20 messages per rolling minute, the robots' documented limit). When the budget is
// spent, messages wait and are merged into one summary message when a slot frees: grouped, never dropped.
import type { NotifyChannel, NotifyFault, NotifyMessage, SendOutcome } from './types.js';

export interface RateLimitOptions {
  perMinute?: number;
  now?: () => number;
  /** A summary lists at most this many faults in full; the rest are counted (robots cap a message's length). */
  maxFaultsListed?: number;
}

export interface RateLimitedChannel {
  readonly channel: NotifyChannel;
  /** Sends now when the budget allows; otherwise holds the message and returns 'held'. */
  submit(message: NotifyMessage): Promise<SendOutcome | { kind: 'held' }>;
  /** When the next slot frees (ms since epoch), or undefined when nothing is held. */
  nextFlushAt(): number | undefined;
  /** Sends the held messages as one when a slot is free; returns undefined when nothing was due. */
  flush(): Promise<SendOutcome | undefined>;
  heldCount(): number;
}

export function summarise(messages: NotifyMessage[], maxFaultsListed: number): NotifyMessage {
  const faults: NotifyFault[] = messages.flatMap((m) => m.faults);
  const listed = faults.slice(0, maxFaultsListed);
  const rest = faults.length - listed.length;
  if (rest > 0) {
    const last = faults[faults.length - 1]!;
    listed.push({
      ...last,
      faultId: last.faultId,
      code: 'summary',
      titleZh: `另有 ${rest} 条故障`,
      titleEn: `and ${rest} more faults`,
      actionZh: undefined,
      actionEn: undefined,
    });
  }
  const consoleBaseUrl = messages.find((m) => m.consoleBaseUrl)?.consoleBaseUrl;
  return { faults: listed, ...(consoleBaseUrl ? { consoleBaseUrl } : {}) };
}

export function rateLimited(channel: NotifyChannel, options: RateLimitOptions = {}): RateLimitedChannel {
  const perMinute = options.perMinute ?? 20;
  const now = options.now ?? Date.now;
  const maxListed = options.maxFaultsListed ?? 10;
  const sentAt: number[] = [];
  const held: NotifyMessage[] = [];

  const prune = (): void => {
    const cutoff = now() - 60_000;
    while (sentAt.length > 0 && sentAt[0]! <= cutoff) sentAt.shift();
  };
  const hasSlot = (): boolean => {
    prune();
    return sentAt.length < perMinute;
  };
  const sendCounted = async (message: NotifyMessage): Promise<SendOutcome> => {
    sentAt.push(now());
    return channel.send(message);
  };

  return {
    channel,
    async submit(message) {
      if (held.length === 0 && hasSlot()) return sendCounted(message);
      held.push(message);
      return { kind: 'held' };
    },
    nextFlushAt() {
      if (held.length === 0) return undefined;
      prune();
      return sentAt.length < perMinute ? now() : sentAt[0]! + 60_000;
    },
    async flush() {
      if (held.length === 0 || !hasSlot()) return undefined;
      const merged = summarise(held.splice(0), maxListed);
      const outcome = await sendCounted(merged);
      if (outcome.kind === 'retry') held.unshift(merged); // keep it for the next slot rather than lose it
      return outcome;
    },
    heldCount() {
      return held.length;
    },
  };
}
