// The optional outbound ticket integration (notify.ticketSync): every ticket step goes to an external ticket system
// as JSON, signed like the generic webhook, through the same durable outbox (so a restart loses none), in order.
// The receiver upserts by ticket id; X-Guardpost-Event-Id (ticket/step) lets it drop a repeat (at-least-once).
import { createHmac } from 'node:crypto';
import { httpStatusOutcome, postJson, transportFailure } from './http-post.js';
import type { NotifyChannel, NotifyMessage, SendOutcome } from './types.js';
import { SIGNATURE_HEADER } from './webhook.js';

/** The outbox channel of ticket events; not a name desk.json can give a channel. */
export const TICKET_SYNC_CHANNEL = '@tickets';

export function ticketSyncChannel(o: { url: string; secret?: string; timeoutMs: number }): NotifyChannel {
  return {
    name: TICKET_SYNC_CHANNEL,
    kind: 'webhook',
    async send(message: NotifyMessage, signal?: AbortSignal): Promise<SendOutcome> {
      const event = message.ticketSync;
      if (!event) return { kind: 'permanent', reason: 'not a ticket event' };
      const body = JSON.stringify(event);
      const headers: Record<string, string> = { 'x-guardpost-event-id': event.id };
      if (o.secret) headers[SIGNATURE_HEADER] = `sha256=${createHmac('sha256', o.secret).update(body).digest('hex')}`;
      try {
        const result = await postJson(o.url, event, { timeoutMs: o.timeoutMs, headers, ...(signal ? { signal } : {}) });
        return httpStatusOutcome(result) ?? { kind: 'sent' };
      } catch (error) {
        return transportFailure(error);
      }
    },
  };
}
