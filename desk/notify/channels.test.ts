import { afterEach, describe, expect, it } from 'vitest';
import { dingtalkChannel } from './dingtalk.js';
import { feishuChannel } from './feishu.js';
import { startRobotReceiver, type RobotReceiver } from './test-receivers.js';
import type { NotifyFault, NotifyMessage } from './types.js';
import { webhookChannel } from './webhook.js';
import { wecomChannel } from './wecom.js';

const receivers: RobotReceiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});
async function receiver(...args: Parameters<typeof startRobotReceiver>): Promise<RobotReceiver> {
  const r = await startRobotReceiver(...args);
  receivers.push(r);
  return r;
}

function fault(overrides: Partial<NotifyFault> = {}): NotifyFault {
  return {
    faultId: 'f-1',
    code: 'reader.offline',
    grade: 'critical',
    titleZh: '读卡器离线',
    titleEn: 'card reader offline',
    agentId: 'term-07',
    institution: 'H31010100001',
    since: '2026-12-03T08:00:00.000Z',
    actionZh: '检查读卡器 USB 线',
    actionEn: 'check the reader USB cable',
    ...overrides,
  };
}
const message: NotifyMessage = { faults: [fault()], consoleBaseUrl: 'https://desk.example/console/' };

describe('WeCom group robot', () => {
  it('posts markdown with the key and reads the reply', async () => {
    const r = await receiver('wecom', { key: 'k-123' });
    const outcome = await wecomChannel({ name: 'ops', key: 'k-123', baseUrl: r.baseUrl }).send(message);
    expect(outcome).toEqual({ kind: 'sent' });
    const body = r.received[0]!.body as { msgtype: string; markdown: { content: string } };
    expect(body.msgtype).toBe('markdown');
    expect(body.markdown.content).toContain('严重 critical');
    expect(body.markdown.content).toContain('读卡器离线 card reader offline');
    expect(body.markdown.content).toContain('term-07');
    expect(body.markdown.content).toContain('H31010100001');
    expect(body.markdown.content).toContain('检查读卡器 USB 线 / check the reader USB cable');
    expect(body.markdown.content).toContain('(https://desk.example/console/faults/f-1)');
  });
  it('a wrong key is permanent (93000), rate limit 45009 and system busy are retried', async () => {
    const r = await receiver('wecom', { key: 'right' });
    const wrong = await wecomChannel({ name: 'ops', key: 'wrong', baseUrl: r.baseUrl }).send(message);
    expect(wrong).toMatchObject({ kind: 'permanent', reason: expect.stringContaining('93000') });
    expect(JSON.stringify(wrong)).not.toContain('wrong'); // the key never appears in a reason
    r.script.push('rate-limit', 'busy');
    const channel = wecomChannel({ name: 'ops', key: 'right', baseUrl: r.baseUrl });
    expect(await channel.send(message)).toMatchObject({ kind: 'retry', reason: expect.stringContaining('45009') });
    expect(await channel.send(message)).toMatchObject({ kind: 'retry', reason: expect.stringContaining('-1') });
    expect(await channel.send(message)).toEqual({ kind: 'sent' });
  });
});

describe('DingTalk custom robot', () => {
  it('signs with timestamp+sign when a secret is set; the receiver verifies it', async () => {
    const r = await receiver('dingtalk', { key: 'tok', secret: 'SEC-abc+/=' });
    const outcome = await dingtalkChannel({ name: 'dd', accessToken: 'tok', secret: 'SEC-abc+/=', baseUrl: r.baseUrl }).send(message);
    expect(outcome).toEqual({ kind: 'sent' });
    const got = r.received[0]!;
    expect(got.query.get('timestamp')).toMatch(/^\d{13}$/);
    const body = got.body as { msgtype: string; markdown: { title: string; text: string } };
    expect(body.msgtype).toBe('markdown');
    expect(body.markdown.title).toContain('严重 critical');
  });
  it('a wrong secret is rejected with 310000 (permanent); an hour-old timestamp too', async () => {
    const r = await receiver('dingtalk', { key: 'tok', secret: 'right' });
    expect(await dingtalkChannel({ name: 'dd', accessToken: 'tok', secret: 'wrong', baseUrl: r.baseUrl }).send(message)).toMatchObject({
      kind: 'permanent',
      reason: expect.stringContaining('310000'),
    });
    const stale = dingtalkChannel({ name: 'dd', accessToken: 'tok', secret: 'right', baseUrl: r.baseUrl, now: () => Date.now() - 2 * 3_600_000 });
    expect(await stale.send(message)).toMatchObject({ kind: 'permanent', reason: expect.stringContaining('310000') });
    expect(r.received).toHaveLength(0);
  });
  it('sending too fast (410100, 130101-class) retries; a bad token (300001) does not', async () => {
    const r = await receiver('dingtalk', { key: 'tok' });
    r.script.push('rate-limit');
    expect(await dingtalkChannel({ name: 'dd', accessToken: 'tok', baseUrl: r.baseUrl }).send(message)).toMatchObject({ kind: 'retry', reason: expect.stringContaining('410100') });
    expect(await dingtalkChannel({ name: 'dd', accessToken: 'nope', baseUrl: r.baseUrl }).send(message)).toMatchObject({ kind: 'permanent', reason: expect.stringContaining('300001') });
  });
});

describe('Feishu custom bot', () => {
  it('text with a verified signature, and an interactive card', async () => {
    const r = await receiver('feishu', { key: 'hook-1', secret: 'fs-secret' });
    const text = feishuChannel({ name: 'fs', token: 'hook-1', secret: 'fs-secret', baseUrl: r.baseUrl });
    expect(await text.send(message)).toEqual({ kind: 'sent' });
    const card = feishuChannel({ name: 'fs', token: 'hook-1', secret: 'fs-secret', format: 'card', baseUrl: r.baseUrl });
    expect(await card.send({ ...message, faults: [fault({ resolved: true })] })).toEqual({ kind: 'sent' });
    const [first, second] = r.received as unknown as [{ body: Record<string, any> }, { body: Record<string, any> }];
    expect(first.body.msg_type).toBe('text');
    expect(first.body.content.text).toContain('查看 view: https://desk.example/console/faults/f-1');
    expect(second.body.msg_type).toBe('interactive');
    expect(second.body.card.header.title.content).toContain('恢复 resolved');
    expect(second.body.card.header.template).toBe('green');
  });
  it('a bad signature is 19021 (permanent); 9499 and 11232 retry', async () => {
    const r = await receiver('feishu', { key: 'hook-1', secret: 'fs-secret' });
    expect(await feishuChannel({ name: 'fs', token: 'hook-1', secret: 'other', baseUrl: r.baseUrl }).send(message)).toMatchObject({
      kind: 'permanent',
      reason: expect.stringContaining('19021'),
    });
    r.script.push('rate-limit', 'busy');
    const ok = feishuChannel({ name: 'fs', token: 'hook-1', secret: 'fs-secret', baseUrl: r.baseUrl });
    expect(await ok.send(message)).toMatchObject({ kind: 'retry', reason: expect.stringContaining('9499') });
    expect(await ok.send(message)).toMatchObject({ kind: 'retry', reason: expect.stringContaining('11232') });
  });
});

describe('generic webhook', () => {
  it('posts Alertmanager v4 JSON with an HMAC signature header', async () => {
    const r = await receiver('webhook', { secret: 'wh' });
    expect(await webhookChannel({ name: 'am', url: `${r.baseUrl}/hook`, secret: 'wh' }).send(message)).toEqual({ kind: 'sent' });
    const body = r.received[0]!.body as Record<string, any>;
    expect(body.version).toBe('4');
    expect(body.status).toBe('firing');
    expect(body.alerts[0]).toMatchObject({ status: 'firing', labels: { alertname: 'reader.offline', severity: 'critical' }, fingerprint: 'f-1' });
    expect(await webhookChannel({ name: 'am', url: `${r.baseUrl}/hook`, secret: 'bad' }).send(message)).toEqual({ kind: 'permanent', reason: 'HTTP 401' });
  });
  it('429 (with Retry-After) and 5xx retry', async () => {
    const r = await receiver('webhook', {});
    r.script.push('http-429', 'http-500');
    const channel = webhookChannel({ name: 'am', url: r.baseUrl });
    expect(await channel.send(message)).toEqual({ kind: 'retry', reason: 'HTTP 429', retryAfterMs: 2000 });
    expect(await channel.send(message)).toEqual({ kind: 'retry', reason: 'HTTP 500' });
  });
});

describe('a hung receiver', () => {
  it('costs at most the per-request timeout and is a retry', async () => {
    const r = await receiver('wecom', { key: 'k' });
    r.script.push('hang');
    const started = Date.now();
    const outcome = await wecomChannel({ name: 'ops', key: 'k', baseUrl: r.baseUrl, timeoutMs: 300 }).send(message);
    expect(outcome).toEqual({ kind: 'retry', reason: 'timeout' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
