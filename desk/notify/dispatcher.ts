// Drains the outbox to the channels, asynchronously and never more than one send per channel at a time, so a slow
// receiver holds up only its own channel — never ingest, which only ever calls NotifyOutbox.enqueue.
import type { NotifyOutbox } from '../store/notify-outbox.js';
import type { NotifyChannel, NotifyMessage } from './types.js';

export interface DispatcherOptions {
  outbox: NotifyOutbox;
  channels: ReadonlyMap<string, NotifyChannel>;
  now?: () => number;
}

export class NotifyDispatcher {
  private readonly busy = new Set<string>();
  private readonly now: () => number;

  constructor(private readonly options: DispatcherOptions) {
    this.now = options.now ?? Date.now;
  }

  /** One pass over what is due; resolves when every send it started has an outcome recorded. */
  async drainOnce(): Promise<number> {
    const due = this.options.outbox.due(this.now()).filter((item) => !this.busy.has(item.channel));
    const byChannel = new Map<string, typeof due>();
    for (const item of due) byChannel.set(item.channel, [...(byChannel.get(item.channel) ?? []), item]);
    let sent = 0;
    await Promise.all(
      [...byChannel].map(async ([name, items]) => {
        const channel = this.options.channels.get(name);
        this.busy.add(name);
        try {
          for (const item of items) {
            if (!channel) {
              this.options.outbox.markFailed(item, `no channel named ${name} in desk.json notify.channels`);
              continue;
            }
            const outcome = await channel.send(JSON.parse(item.message) as NotifyMessage);
            if (outcome.kind === 'sent') {
              this.options.outbox.markSent(item, this.now());
              sent += 1;
            } else if (outcome.kind === 'retry') {
              this.options.outbox.markRetry(item, outcome.reason, this.now(), outcome.retryAfterMs);
              break; // the channel is unwell: leave the rest for its next turn
            } else this.options.outbox.markFailed(item, outcome.reason);
          }
        } finally {
          this.busy.delete(name);
        }
      }),
    );
    return sent;
  }
}
