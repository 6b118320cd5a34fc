// The robots answer HTTP 200 with an error code in the body; this turns (code, retryable codes) into an outcome.
import { httpStatusOutcome, type PostResult } from './http-post.js';
import type { SendOutcome } from './types.js';

export function robotOutcome(result: PostResult, codeField: string, retryableCodes: ReadonlySet<number>, service: string): SendOutcome {
  const http = httpStatusOutcome(result);
  if (http) return http;
  const body = result.body as Record<string, unknown> | undefined;
  const code = typeof body === 'object' && body !== null ? Number(body[codeField]) : Number.NaN;
  if (code === 0) return { kind: 'sent' };
  if (!Number.isFinite(code)) return { kind: 'retry', reason: `${service}: reply without ${codeField}` };
  const message = typeof body?.errmsg === 'string' ? body.errmsg : typeof body?.msg === 'string' ? body.msg : '';
  const reason = `${service} ${codeField} ${code}${message ? ` ${message}` : ''}`;
  return retryableCodes.has(code) ? { kind: 'retry', reason } : { kind: 'permanent', reason };
}
