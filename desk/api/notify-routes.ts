import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from '../../agent/core/schema/type.js';
import type { ChannelStatus, NotifyService } from '../notify/notify-service.js';
import { ErrorSchema, Nullable, strict, deskRouteOptions, type DeskRouteSpec } from './common-schemas.js';

/** The notification routes of the engineer API: each channel's health, and a test message to prove a channel works. */

const AUTH = 'Authorization: Bearer TOKEN, from `guardpost desk-cli token create NAME` (else 401)';
const errors = { 400: ErrorSchema, 401: ErrorSchema };

export const ChannelStatusSchema = Type.Object({
  channel: Type.String({ description: 'its name in desk.json notify.channels' }),
  kind: Type.String({ description: 'wecom, dingtalk, feishu, webhook or email' }),
  perMinute: Type.Number({ description: 'its sending budget per rolling minute (0: none); beyond, messages are merged into one summary' }),
  pending: Type.Number({ description: 'messages waiting to be sent (due, or backing off after a failure)' }),
  failed: Type.Number({ description: 'messages that failed for good (bad key, bad signature): kept, not retried' }),
  sent: Type.Number(),
  merged: Type.Number({ description: 'messages merged into summaries by the budget' }),
  lastError: Type.String({ description: 'the latest failure reason (never a key or URL)' }),
  lastSentAt: Nullable(Type.Number({ description: 'ms since the epoch' })),
  oldestPendingAt: Nullable(Type.Number({ description: 'due time of the oldest pending message, ms since the epoch' })),
  consecutiveFailures: Type.Number({ description: 'failed sends in a row in this run; at notify.failingAfter the desk raises NOTIFY_CHANNEL_FAILING' }),
});

export const NOTIFY_ROUTES = {
  notifyStatus: {
    method: 'GET',
    url: '/api/v1/notify',
    summary: 'the notification channels and their health: pending, failed, sent, merged, the latest error',
    auth: AUTH,
    schema: { response: { 200: Type.Object({ configured: Type.Boolean(), channels: Type.Array(ChannelStatusSchema) }), ...errors } },
  },
  notifyTest: {
    method: 'POST',
    url: '/api/v1/notify/test',
    summary: 'queues a test message to one channel (through the outbox, with its budget and retries), naming who sent it',
    auth: AUTH,
    schema: {
      body: Type.Object({ channel: Type.String({ minLength: 1, maxLength: 40 }) }, strict),
      response: { 202: Type.Object({ queued: Type.Number({ description: 'the outbox id of the message' }) }), ...errors, 404: ErrorSchema },
    },
  },
} satisfies Record<string, DeskRouteSpec>;

export const NOTIFY_SCHEMAS = { ChannelStatus: ChannelStatusSchema };

export function registerNotifyRoutes(app: FastifyInstance, notify: NotifyService | undefined): void {
  app.route({
    ...deskRouteOptions(NOTIFY_ROUTES.notifyStatus),
    handler: async () => ({ configured: (notify?.status().length ?? 0) > 0, channels: notify?.status() ?? [] }),
  });
  app.route({
    ...deskRouteOptions(NOTIFY_ROUTES.notifyTest),
    handler: async (req: FastifyRequest & { engineer?: string }, reply) => {
      const { channel } = req.body as { channel: string };
      const id = notify?.sendTest(channel, req.engineer!);
      if (id === undefined) return reply.code(404).send({ error: `no channel named "${channel}" in desk.json notify.channels` });
      return reply.code(202).send({ queued: id });
    },
  });
}

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const same = <T extends true>(_proof?: T): void => undefined;
same<Same<Static<typeof ChannelStatusSchema>, ChannelStatus>>();
