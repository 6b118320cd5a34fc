// Generic webhook: an Alertmanager-compatible JSON body (version 4), optionally signed with
// X-Guardpost-Signature: sha256=hex(HMAC-SHA256(secret, body)). 2xx is sent; 429/5xx retry; other statuses are permanent.
import { createHmac } from 'node:crypto';
import { faultLink, messageTitle } from './format.js';
import { httpStatusOutcome, transportFailure } from './http-post.js';
import type { NotifyChannel, NotifyMessage, SendOutcome } from './types.js';

export interface WebhookOptions {
  name: string;
  url: string;
  secret?: string;
  timeoutMs?: number;
}

export const SIGNATURE_HEADER = 'x-guardpost-signature';

export function alertmanagerPayload(message: NotifyMessage): Record<string, unknown> {
  const alerts = message.faults.map((f) => ({
    status: f.resolved ? 'resolved' : 'firing',
    labels: { alertname: f.code, severity: f.grade, agent: f.agentId, institution: f.institution },
    annotations: {
      summary: `${f.titleZh} ${f.titleEn}`,
      ...(f.actionZh || f.actionEn ? { description: [f.actionZh, f.actionEn].filter(Boolean).join(' / ') } : {}),
    },
    startsAt: f.since,
    generatorURL: faultLink(f, message.consoleBaseUrl) ?? '',
    fingerprint: f.faultId,
  }));
  const firing = alerts.some((a) => a.status === 'firing');
  return {
    version: '4',
    status: firing ? 'firing' : 'resolved',
    receiver: 'guardpost-desk',
    groupKey: `institution:${message.faults[0]!.institution}`,
    groupLabels: { institution: message.faults[0]!.institution },
    commonLabels: {},
    commonAnnotations: { summary: messageTitle(message) },
    externalURL: message.consoleBaseUrl ?? '',
    alerts,
  };
}

export function webhookChannel(options: WebhookOptions): NotifyChannel {
  return {
    name: options.name,
    kind: 'webhook',
    async send(message: NotifyMessage, signal?: AbortSignal): Promise<SendOutcome> {
      const body = JSON.stringify(alertmanagerPayload(message));
      const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
      if (options.secret) headers[SIGNATURE_HEADER] = `sha256=${createHmac('sha256', options.secret).update(body).digest('hex')}`;
      const signals = [AbortSignal.timeout(options.timeoutMs ?? 10_000), ...(signal ? [signal] : [])];
      try {
        const response = await fetch(options.url, { method: 'POST', headers, body, signal: AbortSignal.any(signals) });
        await response.arrayBuffer();
        const retryAfter = Number(response.headers.get('retry-after'));
        const outcome = httpStatusOutcome({
          status: response.status,
          body: undefined,
          ...(retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
        });
        return outcome ?? { kind: 'sent' };
      } catch (error) {
        return transportFailure(error);
      }
    },
  };
}
