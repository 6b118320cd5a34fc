// WeCom (企业微信) group robot: POST {base}/cgi-bin/webhook/send?key=KEY, markdown message.
// Errors (errcode): 45009 api freq out of limit and -1 system busy are retried; 93000 (bad key) and others are permanent.
import { messageBody } from './format.js';
import { postJson, transportFailure } from './http-post.js';
import { robotOutcome } from './robot-reply.js';
import type { NotifyChannel, NotifyMessage, SendOutcome } from './types.js';

export const WECOM_DEFAULT_BASE = 'https://qyapi.weixin.qq.com';
const RETRYABLE = new Set([45009, -1]);

export interface WecomOptions {
  name: string;
  key: string;
  baseUrl?: string;
  timeoutMs?: number;
}

export function wecomChannel(options: WecomOptions): NotifyChannel {
  const base = (options.baseUrl ?? WECOM_DEFAULT_BASE).replace(/\/+$/, '');
  return {
    name: options.name,
    kind: 'wecom',
    async send(message: NotifyMessage, signal?: AbortSignal): Promise<SendOutcome> {
      const url = `${base}/cgi-bin/webhook/send?key=${encodeURIComponent(options.key)}`;
      const payload = { msgtype: 'markdown', markdown: { content: messageBody(message, true) } };
      try {
        const result = await postJson(url, payload, { timeoutMs: options.timeoutMs ?? 10_000, ...(signal ? { signal } : {}) });
        return robotOutcome(result, 'errcode', RETRYABLE, 'WeCom');
      } catch (error) {
        return transportFailure(error);
      }
    },
  };
}
