// Loopback receivers that implement the robots' documented APIs (for tests): key/token checks, signature checks with
// the documented tolerance, their real error codes, and a scripted queue of replies (rate limit, busy, hang).
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ScriptedReply = 'ok' | 'rate-limit' | 'busy' | 'http-500' | 'http-429' | 'hang';

export interface Received {
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  raw: string;
  body: Record<string, unknown>;
}

export interface RobotReceiver {
  baseUrl: string;
  received: Received[]; // accepted (answered code 0) messages only
  attempts: number;
  script: ScriptedReply[]; // consumed one per request; empty = 'ok'
  /** Every answer waits this long (a slow receiver). */
  delayMs: number;
  close(): Promise<void>;
}

type Kind = 'wecom' | 'dingtalk' | 'feishu' | 'webhook';
interface Credentials {
  key?: string; // WeCom key, DingTalk access_token, Feishu hook token
  secret?: string;
}

const RATE_LIMIT: Record<Kind, Record<string, unknown>> = {
  wecom: { errcode: 45009, errmsg: 'api freq out of limit' },
  dingtalk: { errcode: 410100, errmsg: 'send too fast, exceed 20 times per minute' },
  feishu: { code: 9499, msg: 'Too Many Request' },
  webhook: {},
};
const BUSY: Record<Kind, Record<string, unknown>> = {
  wecom: { errcode: -1, errmsg: 'system busy' },
  dingtalk: { errcode: -1, errmsg: 'system busy' },
  feishu: { code: 11232, msg: 'frequency limited' },
  webhook: {},
};

function check(kind: Kind, creds: Credentials, url: URL, body: Record<string, unknown>, raw: string, headers: IncomingMessage['headers']): Record<string, unknown> | number | undefined {
  if (kind === 'wecom') {
    if (url.pathname !== '/cgi-bin/webhook/send' || url.searchParams.get('key') !== creds.key) return { errcode: 93000, errmsg: 'invalid webhook url' };
    if (body.msgtype !== 'markdown') return { errcode: 40008, errmsg: 'invalid message type' };
    return undefined;
  }
  if (kind === 'dingtalk') {
    if (url.pathname !== '/robot/send' || url.searchParams.get('access_token') !== creds.key) return { errcode: 300001, errmsg: 'token is not exist' };
    if (creds.secret) {
      const timestamp = Number(url.searchParams.get('timestamp'));
      // URLSearchParams has already URL-decoded the sign once, as DingTalk does.
      const expected = createHmac('sha256', creds.secret).update(`${timestamp}\n${creds.secret}`).digest('base64');
      if (Math.abs(Date.now() - timestamp) > 3_600_000) return { errcode: 310000, errmsg: 'sign not match, timestamp expired' };
      if (url.searchParams.get('sign') !== expected) return { errcode: 310000, errmsg: 'sign not match' };
    }
    return undefined;
  }
  if (kind === 'feishu') {
    if (url.pathname !== `/open-apis/bot/v2/hook/${creds.key}`) return { code: 19001, msg: 'param invalid: incoming webhook access token invalid' };
    if (creds.secret) {
      const timestamp = Number(body.timestamp);
      const expected = createHmac('sha256', `${timestamp}\n${creds.secret}`).update('').digest('base64');
      if (Math.abs(Date.now() / 1000 - timestamp) > 3600 || body.sign !== expected) return { code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time' };
    }
    if (body.msg_type !== 'text' && body.msg_type !== 'interactive') return { code: 19002, msg: 'params error, msg_type need' };
    return undefined;
  }
  if (creds.secret) {
    const expected = `sha256=${createHmac('sha256', creds.secret).update(raw).digest('hex')}`;
    if (headers['x-guardpost-signature'] !== expected) return 401;
  }
  return undefined;
}

export async function startRobotReceiver(kind: Kind, creds: Credentials): Promise<RobotReceiver> {
  const hung: ServerResponse[] = [];
  const receiver: RobotReceiver = { baseUrl: '', received: [], attempts: 0, script: [], delayMs: 0, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => void setTimeout(answer, receiver.delayMs));
    const answer = (): void => {
      receiver.attempts += 1;
      const raw = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://x');
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        // answered below as a param error
      }
      const reply = receiver.script.shift() ?? 'ok';
      const json = (status: number, value: unknown, extra: Record<string, string> = {}): void => {
        res.writeHead(status, { 'content-type': 'application/json', ...extra }).end(JSON.stringify(value));
      };
      if (reply === 'hang') return void hung.push(res);
      if (reply === 'http-500') return json(500, {});
      if (reply === 'http-429') return json(429, {}, { 'retry-after': '2' });
      if (reply === 'rate-limit') return kind === 'webhook' ? json(429, {}) : json(200, RATE_LIMIT[kind]);
      if (reply === 'busy') return kind === 'webhook' ? json(503, {}) : json(200, BUSY[kind]);
      const error = check(kind, creds, url, body, raw, req.headers);
      if (typeof error === 'number') return json(error, {});
      if (error) return json(200, error);
      receiver.received.push({ path: url.pathname, query: url.searchParams, headers: req.headers, raw, body });
      if (kind === 'webhook') return json(200, {});
      return json(200, kind === 'feishu' ? { code: 0, msg: 'success', data: {} } : { errcode: 0, errmsg: 'ok' });
    };
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  receiver.close = async () => {
    for (const res of hung) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return receiver;
}
