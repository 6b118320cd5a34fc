// The generic webhook's PagerDuty Events API v2 variant: one event per fault (trigger, or resolve for a resolved
// one), deduplicated by the occurrence id, so PagerDuty, or anything that speaks its events API, opens and closes
// one incident per occurrence. 2xx sent; 429 and 5xx retried; other statuses (400: invalid event) permanent.
import { faultLink, gradeWords } from './format.js';
import { httpStatusOutcome, postJson, transportFailure } from './http-post.js';
import type { Grade, NotifyChannel, NotifyFault, NotifyMessage, SendOutcome } from './types.js';

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';
const SEVERITY: Record<Grade, string> = { critical: 'critical', major: 'error', minor: 'warning' };

export interface PagerdutyOptions {
  name: string;
  routingKey: string;
  url?: string;
  timeoutMs?: number;
}

export function pagerdutyEvent(fault: NotifyFault, routingKey: string, consoleBaseUrl: string | undefined): Record<string, unknown> {
  const link = faultLink(fault, consoleBaseUrl);
  if (fault.resolved) return { routing_key: routingKey, event_action: 'resolve', dedup_key: fault.faultId };
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: fault.faultId,
    payload: {
      summary: `[${gradeWords(fault.grade)}] ${fault.institution} ${fault.titleZh} ${fault.titleEn}`.slice(0, 1024),
      source: fault.agentId,
      severity: SEVERITY[fault.grade],
      timestamp: fault.since,
      component: fault.code,
      group: fault.institution,
      custom_details: { institution: fault.institution, ...(fault.actionZh ? { action_zh: fault.actionZh } : {}), ...(fault.actionEn ? { action_en: fault.actionEn } : {}) },
    },
    ...(link ? { links: [{ href: link, text: '查看 view' }] } : {}),
  };
}

export function pagerdutyChannel(options: PagerdutyOptions): NotifyChannel {
  const url = options.url ?? PAGERDUTY_EVENTS_URL;
  return {
    name: options.name,
    kind: 'webhook',
    async send(message: NotifyMessage, signal?: AbortSignal): Promise<SendOutcome> {
      // Events are independent: send each; the first failure decides (the outbox sends the whole message again, and
      // PagerDuty deduplicates the ones already accepted by dedup_key).
      for (const fault of message.faults) {
        try {
          const result = await postJson(url, pagerdutyEvent(fault, options.routingKey, message.consoleBaseUrl), {
            timeoutMs: options.timeoutMs ?? 10_000,
            ...(signal ? { signal } : {}),
          });
          const failed = httpStatusOutcome(result);
          if (failed) return failed;
        } catch (error) {
          return transportFailure(error);
        }
      }
      return { kind: 'sent' };
    },
  };
}
