// The desk's notification loop: plan (planner.ts) and send (dispatcher.ts) every second, and at once after each
// ingest commit, so a fault reaches its channels within the grouping window. It only reads what ingest committed:
// ingest never waits for it, and a hung receiver stalls nothing but its own channel. A channel that keeps failing
// raises NOTIFY_CHANNEL_FAILING, a desk fault engineers see and the other channels are told of.
import type { Logger } from 'pino';
import type { Text } from '../../agent/core/text.js';
import type { ChannelHealth } from '../store/notify-types.js';
import type { DeskStore } from '../store/types.js';
import type { ChannelEntry } from './channel-factory.js';
import { NotifyDispatcher } from './dispatcher.js';
import type { NotifyConfig } from './notify-config.js';
import { NotifyPlanner, type PlannerHooks } from './planner.js';
import { TICKET_SYNC_CHANNEL } from './ticket-sync.js';
import type { NotifyMessage, SendOutcome, TicketSyncEvent } from './types.js';

export const CHANNEL_FAILING = 'NOTIFY_CHANNEL_FAILING';
const TICK_MS = 1_000;

export interface NotifyServiceOptions {
  store: DeskStore;
  config: NotifyConfig | undefined;
  now: () => Date;
  logger: Logger;
  actionOf?: (code: string) => Text | undefined;
  hooks?: PlannerHooks;
}

export interface ChannelStatus extends ChannelHealth {
  kind: string;
  perMinute: number;
  /** Failed sends in a row (since the last success, in this run). */
  consecutiveFailures: number;
}

export class NotifyService {
  private readonly planner: NotifyPlanner;
  private readonly dispatcher: NotifyDispatcher;
  private readonly abort = new AbortController();
  private readonly failures = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private woken = false;
  private inFlight = new Set<Promise<unknown>>();
  /** The configured channels and, when set, the ticket integration's. */
  private readonly channels: ReadonlyMap<string, ChannelEntry>;

  constructor(private readonly o: NotifyServiceOptions) {
    const now = () => o.now().getTime();
    this.planner = new NotifyPlanner({ store: o.store.notify, config: o.config, now, ...(o.actionOf ? { actionOf: o.actionOf } : {}), ...(o.hooks ? { hooks: o.hooks } : {}) });
    const channels = new Map(o.config?.channels ?? []);
    if (o.config?.ticketSync) channels.set(TICKET_SYNC_CHANNEL, o.config.ticketSync);
    this.channels = channels;
    this.dispatcher = new NotifyDispatcher({
      store: o.store.notify,
      channels,
      now,
      signal: this.abort.signal,
      onOutcome: (channel, outcome) => this.record(channel, outcome),
    });
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.tick();
  }

  /** Ingest committed something: plan it now rather than at the next second. */
  wake(): void {
    if (this.woken || !this.timer) return;
    this.woken = true;
    setImmediate(() => {
      this.woken = false;
      this.tick();
    });
  }

  /** One planning pass and the sends it makes due, awaited (tests with a controlled clock; the benchmarks). */
  async runOnce(): Promise<void> {
    this.planner.tick();
    await Promise.all([...this.inFlight]);
    await this.dispatcher.drainOnce();
  }

  /** A ticket step: queued for the external ticket system, in the caller's transaction (none when not configured). */
  ticketStep(ticket: { id: string }, step: { id: number }): void {
    if (!this.o.config?.ticketSync) return;
    const event: TicketSyncEvent = { event: 'ticket.step', id: `${ticket.id}/${step.id}`, ticket, step };
    this.o.store.notify.enqueue(TICKET_SYNC_CHANNEL, JSON.stringify({ faults: [], ticketSync: event } satisfies NotifyMessage), [], this.o.now().getTime());
    this.wake();
  }

  /** Queues a test message to one channel (desk-cli notify test CHANNEL): proves the key and the route. */
  sendTest(channel: string, by: string): number | undefined {
    if (!this.o.config?.channels.has(channel)) return undefined;
    const at = this.o.now();
    const message: NotifyMessage = {
      faults: [
        {
          faultId: `test-${at.getTime()}`,
          code: 'NOTIFY_TEST',
          grade: 'minor',
          titleZh: `测试消息（${by} 发送）`,
          titleEn: `test message (sent by ${by})`,
          agentId: 'desk',
          institution: '-',
          since: at.toISOString(),
        },
      ],
    };
    const id = this.o.store.notify.enqueue(channel, JSON.stringify(message), [], at.getTime());
    this.wake();
    return id;
  }

  status(): ChannelStatus[] {
    const health = new Map(this.o.store.notify.health().map((h) => [h.channel, h]));
    return [...this.channels].map(([name, entry]) => ({
      channel: name,
      pending: 0,
      failed: 0,
      sent: 0,
      merged: 0,
      lastError: '',
      lastSentAt: null,
      oldestPendingAt: null,
      ...health.get(name),
      kind: entry.channel.kind,
      perMinute: entry.perMinute,
      consecutiveFailures: this.failures.get(name) ?? 0,
    }));
  }

  /** Stops the loop; sends in flight are aborted (retried after restart: at-least-once). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.abort.abort();
    await Promise.all([...this.inFlight]);
  }

  private tick(): void {
    if (this.abort.signal.aborted) return;
    try {
      this.planner.tick();
    } catch (err) {
      this.o.logger.error({ err: (err as Error).message }, 'notifications: planning failed (retried next second)');
      return;
    }
    const drain = this.dispatcher.drainOnce().catch((err: Error) => this.o.logger.error({ err: err.message }, 'notifications: sending failed'));
    this.inFlight.add(drain);
    void drain.finally(() => this.inFlight.delete(drain));
  }

  private record(channel: string, outcome: SendOutcome): void {
    if (this.abort.signal.aborted) return;
    const at = this.o.now().toISOString();
    if (outcome.kind === 'sent') {
      if (this.failures.get(channel)) this.o.logger.info({ channel }, 'notifications: channel delivering again');
      this.failures.set(channel, 0);
      this.o.store.deskFaults.resolve(CHANNEL_FAILING, channel, at);
      return;
    }
    const n = (this.failures.get(channel) ?? 0) + 1;
    this.failures.set(channel, n);
    this.o.logger.warn({ channel, outcome: outcome.kind, reason: outcome.reason, consecutive: n }, 'notifications: send failed');
    // A permanent failure (bad key, bad signature) will not mend itself: tell engineers at once.
    if (outcome.kind === 'permanent' || n >= (this.o.config?.failingAfter ?? 3)) {
      const kind = this.channels.get(channel)?.channel.kind ?? '?';
      this.o.store.deskFaults.raise({
        code: CHANNEL_FAILING,
        severity: 'major',
        subject: channel,
        title: { zh: `通知渠道 ${channel} 发送失败`, en: `notification channel ${channel} failing` },
        detail: {
          zh: `通知渠道 ${channel}（${kind}）连续 ${n} 次发送失败，最近原因：${outcome.reason}`,
          en: `notification channel ${channel} (${kind}) failed ${n} time${n > 1 ? 's' : ''} in a row; the latest: ${outcome.reason}`,
        },
        at,
      });
    }
  }
}
