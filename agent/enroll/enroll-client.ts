import { request } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { Text } from '../core/text.js';
import { verifyDesk } from '../tunnel/tls-verify.js';

export interface EnrollAnswer {
  agentId: string;
  certPem: string;
  caPem: string;
  notAfter: string;
}

/** Why enrollment failed, in both languages: the desk's refusal, a pin that does not match, a desk not reached. */
export class EnrollError extends Error {
  constructor(
    readonly text: Text,
    readonly kind: 'refused' | 'pin' | 'unreachable' | 'protocol',
  ) {
    super(text.en);
  }
}

/**
 * POSTs the code and request to the desk's enrollment endpoint. The desk is not trusted by any CA yet: its key (or
 * its CA's) must match `pin` before anything is sent, the same check the tunnel makes with pins only.
 */
export function enrollWithDesk(url: URL, pin: string, body: { code: string; csr: string }, timeoutMs = 15_000): Promise<EnrollAnswer> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      agent: false,
      rejectUnauthorized: false, // verified below, by the pin, before the body is written
      timeout: timeoutMs,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
    });
    req.on('socket', (socket) => {
      socket.once('secureConnect', () => {
        const problem = verifyDesk(socket as TLSSocket, host, [pin], false);
        if (problem) {
          req.destroy(new EnrollError({ zh: `服务台身份与给定的固定密钥不符：${problem}`, en: `the desk is not the one pinned: ${problem}` }, 'pin'));
          return;
        }
        req.end(payload);
      });
    });
    req.on('timeout', () => req.destroy(new EnrollError({ zh: `服务台 ${url.host} 在 ${timeoutMs / 1000} 秒内无响应`, en: `no answer from the desk at ${url.host} within ${timeoutMs / 1000} s` }, 'unreachable')));
    req.on('error', (err) => {
      if (err instanceof EnrollError) return reject(err);
      reject(new EnrollError({ zh: `无法连接服务台 ${url.host}：${err.message}`, en: `cannot reach the desk at ${url.host}: ${err.message}` }, 'unreachable'));
    });
    req.on('response', (res) => {
      let raw = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (raw += c));
      res.on('end', () => {
        let answer: Record<string, unknown>;
        try {
          answer = JSON.parse(raw) as Record<string, unknown>;
        } catch {
          return reject(new EnrollError({ zh: `服务台的回答不是 JSON（HTTP ${res.statusCode}）`, en: `the desk's answer is not JSON (HTTP ${res.statusCode})` }, 'protocol'));
        }
        if (res.statusCode === 201) return resolve(answer as unknown as EnrollAnswer);
        const message = answer.message as Text | undefined;
        reject(new EnrollError(message ?? { zh: `服务台拒绝（HTTP ${res.statusCode}）`, en: `refused by the desk (HTTP ${res.statusCode})` }, 'refused'));
      });
    });
  });
}
