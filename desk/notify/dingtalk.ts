// DingTalk (钉钉) custom robot: POST {base}/robot/send?access_token=T, markdown message.
// With a secret ("加签"): &timestamp=ms&sign=urlencode(base64(HMAC-SHA256(key=secret, `${timestamp}\n${secret}`))).
// Errors (errcode): 130101 and 410100 (sending too fast), -1 (system busy) are retried; 310000 (sign/keyword/IP), 300001
// (bad token) and others are permanent.
import { createHmac } from 'node:crypto';
import { messageBody, messageTitle } from './format.js';
import { postJson, transportFailure } from './http-post.js';
import { robotOutcome } from './robot-reply.js';
import type { NotifyChannel, NotifyMessage, SendOutcome } from './types.js';

export const DINGTALK_DEFAULT_BASE = 'https://oapi.dingtalk.com';
const RETRYABLE = new Set([130101, 410100, -1]);

export interface DingtalkOptions {
  name: string;
  accessToken: string;
  secret?: string;
  baseUrl?: string;
  timeoutMs?: number;
  now?: () => number;
}

export function dingtalkSign(timestamp: number, secret: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
}

export function dingtalkChannel(options: DingtalkOptions): NotifyChannel {
  const base = (options.baseUrl ?? DINGTALK_DEFAULT_BASE).replace(/\/+$/, '');
  const now = options.now ?? Date.now;
  return {
    name: options.name,
    kind: 'dingtalk',
    async send(message: NotifyMessage, signal?: AbortSignal): Promise<SendOutcome> {
      let url = `${base}/robot/send?access_token=${encodeURIComponent(options.accessToken)}`;
      if (options.secret) {
        const timestamp = now();
        url += `&timestamp=${timestamp}&sign=${encodeURIComponent(dingtalkSign(timestamp, options.secret))}`;
      }
      const payload = { msgtype: 'markdown', markdown: { title: messageTitle(message), text: messageBody(message, true) } };
      try {
        const result = await postJson(url, payload, { timeoutMs: options.timeoutMs ?? 10_000, ...(signal ? { signal } : {}) });
        return robotOutcome(result, 'errcode', RETRYABLE, 'DingTalk');
      } catch (error) {
        return transportFailure(error);
      }
    },
  };
}
