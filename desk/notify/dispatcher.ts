// Drains the outbox to the channels, asynchronously and never more than one send per channel at a time, so a slow
// receiver holds up only its own channel — never ingest, never the other channels. Each channel is held to its
// budget (messages per rolling minute, counted from the outbox, so a restart does not reset it): when more is due
// than the budget allows, the surplus is merged into one summary message — grouped, never dropped.
import type { NotifyStore, OutboxMessage } from '../store/notify-types.js';
import type { ChannelEntry } from './channel-factory.js';
import { summarise } from './summary.js';
import type { NotifyMessage, SendOutcome } from './types.js';

export interface DispatcherOptions {
  store: NotifyStore;
  channels: ReadonlyMap<string, ChannelEntry>;
  now?: () => number;
  /** Told of every send's outcome (channel health). */
  onOutcome?: (channel: string, outcome: SendOutcome) => void;
  /** A summary lists at most this many faults in full (robots cap a message's length). */
  maxFaultsListed?: number;
  /** Aborted when the desk stops: in-flight sends end at once and are retried after restart. */
  signal?: AbortSignal;
}

const MINUTE = 60_000;

export class NotifyDispatcher {
  private readonly busy = new Set<string>();
  private readonly now: () => number;

  constructor(private readonly o: DispatcherOptions) {
    this.now = o.now ?? Date.now;
  }

  /** One pass over the channels with something due and no send in flight; resolves when those passes end. */
  async drainOnce(): Promise<number> {
    const names = this.o.store.channelsWithDue(this.now()).filter((n) => !this.busy.has(n));
    const sent = await Promise.all(names.map((n) => this.drainChannel(n)));
    return sent.reduce((a, b) => a + b, 0);
  }

  /** When this channel may send next under its budget (ms since epoch), or now. */
  nextSlotAt(name: string): number {
    const entry = this.o.channels.get(name);
    const now = this.now();
    if (!entry || entry.perMinute === 0) return now;
    const recent = this.o.store.sentSince(name, now - MINUTE);
    return recent.count < entry.perMinute ? now : (recent.oldest ?? now) + MINUTE;
  }

  private async drainChannel(name: string): Promise<number> {
    this.busy.add(name);
    let sent = 0;
    try {
      const entry = this.o.channels.get(name);
      for (;;) {
        if (this.o.signal?.aborted) break;
        const due = this.o.store.dueMessages(name, this.now(), 1_000);
        if (!due.length) break;
        if (!entry) {
          for (const m of due) this.o.store.markFailed(m.id, `no channel named ${name} in desk.json notify.channels`);
          break;
        }
        const batch = this.withinBudget(name, entry, due);
        if (!batch.length) break; // budget spent: the next slot comes with a later pass
        for (const m of batch) {
          const outcome = await this.send(entry, m);
          this.o.onOutcome?.(name, outcome);
          if (outcome.kind === 'sent') {
            this.o.store.markSent(m.id, this.now());
            sent += 1;
          } else if (outcome.kind === 'retry') {
            this.o.store.markRetry(m, outcome.reason, this.now(), outcome.retryAfterMs);
            return sent; // the channel is unwell: the rest waits for its next turn
          } else this.o.store.markFailed(m.id, outcome.reason);
        }
      }
      return sent;
    } finally {
      this.busy.delete(name);
    }
  }

  /** The messages that fit the budget now; a surplus is merged into one summary, sent as the last of them. */
  private withinBudget(name: string, entry: ChannelEntry, due: OutboxMessage[]): OutboxMessage[] {
    if (entry.perMinute === 0) return due;
    const now = this.now();
    const slots = entry.perMinute - this.o.store.sentSince(name, now - MINUTE).count;
    if (slots <= 0) return [];
    if (due.length <= slots) return due;
    const keep = due.slice(0, slots - 1);
    const surplus = due.slice(slots - 1);
    const summary = summarise(
      surplus.map((m) => JSON.parse(m.message) as NotifyMessage),
      this.o.maxFaultsListed ?? 10,
    );
    const message = JSON.stringify(summary);
    const id = this.o.store.merge(name, surplus.map((m) => m.id), message, now);
    return [...keep, { id, channel: name, message, attempts: 0, dueAt: now }];
  }

  private async send(entry: ChannelEntry, m: OutboxMessage): Promise<SendOutcome> {
    try {
      return await entry.channel.send(JSON.parse(m.message) as NotifyMessage, this.o.signal);
    } catch (err) {
      // A channel that throws instead of answering is a bug of ours; retrying is the safe side.
      return { kind: 'retry', reason: `send failed: ${(err as Error).message}` };
    }
  }
}
