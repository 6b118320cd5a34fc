// Feishu (飞书) custom bot: POST {base}/open-apis/bot/v2/hook/TOKEN, text or interactive card.
// With a secret: body carries timestamp (seconds) and sign = base64(HMAC-SHA256(key=`${timestamp}\n${secret}`, "")).
// Errors (code): 9499 (Too Many Request) and 11232 (frequency limited) are retried; 19021 (sign mismatch), 19024
// (keyword), 19001 (bad params) and others are permanent.
import { createHmac } from 'node:crypto';
import { faultLink, messageBody, messageTitle } from './format.js';
import { postJson, transportFailure } from './http-post.js';
import { robotOutcome } from './robot-reply.js';
import type { NotifyChannel, NotifyMessage, SendOutcome } from './types.js';

export const FEISHU_DEFAULT_BASE = 'https://open.feishu.cn';
const RETRYABLE = new Set([9499, 11232]);

export interface FeishuOptions {
  name: string;
  token: string;
  secret?: string;
  format?: 'text' | 'card';
  baseUrl?: string;
  timeoutMs?: number;
  now?: () => number;
}

export function feishuSign(timestampSeconds: number, secret: string): string {
  return createHmac('sha256', `${timestampSeconds}\n${secret}`).update('').digest('base64');
}

function cardPayload(message: NotifyMessage): Record<string, unknown> {
  const resolved = message.faults.every((f) => f.resolved);
  const critical = message.faults.some((f) => f.grade === 'critical' && !f.resolved);
  const first = message.faults[0]!;
  const link = message.faults.length === 1 ? faultLink(first, message.consoleBaseUrl) : undefined;
  return {
    msg_type: 'interactive',
    card: {
      header: { title: { tag: 'plain_text', content: messageTitle(message) }, template: resolved ? 'green' : critical ? 'red' : 'orange' },
      elements: [
        { tag: 'div', text: { tag: 'lark_md', content: messageBody({ faults: message.faults }, true) } },
        ...(link ? [{ tag: 'action', actions: [{ tag: 'button', text: { tag: 'plain_text', content: '查看 view' }, url: link, type: 'primary' }] }] : []),
      ],
    },
  };
}

export function feishuChannel(options: FeishuOptions): NotifyChannel {
  const base = (options.baseUrl ?? FEISHU_DEFAULT_BASE).replace(/\/+$/, '');
  const now = options.now ?? Date.now;
  return {
    name: options.name,
    kind: 'feishu',
    async send(message: NotifyMessage, signal?: AbortSignal): Promise<SendOutcome> {
      const url = `${base}/open-apis/bot/v2/hook/${encodeURIComponent(options.token)}`;
      const content =
        options.format === 'card' ? cardPayload(message) : { msg_type: 'text', content: { text: messageBody(message, false) } };
      let signature = {};
      if (options.secret) {
        const timestamp = Math.floor(now() / 1000);
        signature = { timestamp: String(timestamp), sign: feishuSign(timestamp, options.secret) };
      }
      try {
        const result = await postJson(url, { ...signature, ...content }, { timeoutMs: options.timeoutMs ?? 10_000, ...(signal ? { signal } : {}) });
        return robotOutcome(result, 'code', RETRYABLE, 'Feishu');
      } catch (error) {
        return transportFailure(error);
      }
    },
  };
}
