import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { emailChannel, type EmailOptions } from './email.js';
import { makeTestCertificates, startSmtpReceiver, type SmtpReceiver, type SmtpReceiverOptions, type TestCertificates } from './test-smtp.js';
import type { NotifyFault, NotifyMessage } from './types.js';

const PASSWORD = 'pw-Zq8!x7s3cret';
let certs: TestCertificates;
beforeAll(() => {
  certs = makeTestCertificates();
});

const receivers: SmtpReceiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});
async function receiver(options: Partial<SmtpReceiverOptions> = {}): Promise<SmtpReceiver> {
  const r = await startSmtpReceiver({ tls: 'starttls', certificates: certs, auth: { user: 'desk', pass: PASSWORD }, ...options });
  receivers.push(r);
  return r;
}
function channel(r: SmtpReceiver, overrides: Partial<EmailOptions> = {}): ReturnType<typeof emailChannel> {
  return emailChannel('mail', {
    host: r.host,
    port: r.port,
    ca: certs.caPem,
    auth: { user: 'desk', pass: PASSWORD },
    from: 'guardpost@desk.example',
    to: ['oncall@hospital.example'],
    ...overrides,
  });
}

// Both ends of every connection closed: nothing the channel opened outlives its send (the listener is a TCPServerWrap;
// the worker talks to vitest over a pipe, so any TCP socket left is one of ours).
const openSockets = (): number => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TLSWrap').length;
async function expectAllClosed(r: SmtpReceiver): Promise<void> {
  const until = Date.now() + 2_000;
  while ((r.openConnections() > 0 || openSockets() > 0) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(r.openConnections()).toBe(0);
  expect(openSockets()).toBe(0);
}

function fault(overrides: Partial<NotifyFault> = {}): NotifyFault {
  return {
    faultId: 'f-1',
    code: 'reader.offline',
    grade: 'critical',
    titleZh: '读卡器无响应',
    titleEn: 'card reader not responding',
    agentId: 'term-07',
    institution: 'H31010100001',
    since: '2026-12-03T08:00:00.000Z',
    actionZh: '检查读卡器 USB 线',
    actionEn: 'check the reader USB cable',
    ...overrides,
  };
}
const message: NotifyMessage = { faults: [fault()], consoleBaseUrl: 'https://desk.example/console/' };

describe('e-mail over STARTTLS', () => {
  it('delivers with AUTH over TLS: zh+en subject, text and escaped HTML parts, and leaves no socket open', async () => {
    const r = await receiver();
    const hostile = fault({ faultId: 'f-2', grade: 'major', titleZh: '打印机<script>', titleEn: '<script>alert("x")</script> & co' });
    const outcome = await channel(r, { cc: ['am@hospital.example'], subjectPrefix: '[Guardpost]' }).send({ ...message, faults: [fault(), hostile] });
    expect(outcome).toEqual({ kind: 'sent' });
    const mail = r.received[0]!;
    expect(mail).toMatchObject({ secure: true, user: 'desk', from: 'guardpost@desk.example', to: ['oncall@hospital.example', 'am@hospital.example'] });
    expect(mail.subject).toBe('[Guardpost] [严重 critical] H31010100001 读卡器无响应 / card reader not responding (+1)');
    for (const part of [mail.text, mail.html]) {
      expect(part).toContain('读卡器无响应 card reader not responding');
      expect(part).toContain('H31010100001');
      expect(part).toContain('term-07');
      expect(part).toContain('检查读卡器 USB 线 / check the reader USB cable');
      expect(part.indexOf('严重 critical')).toBeLessThan(part.indexOf('一般 major'));
    }
    expect(mail.text).toContain('查看 view: https://desk.example/console/faults/f-1');
    expect(mail.html).toContain('<a href="https://desk.example/console/faults/f-1">查看 view</a>');
    expect(mail.html).toContain('打印机&lt;script&gt; &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co');
    expect(mail.html).not.toMatch(/<script/i);
    expect(mail.raw).toMatch(/^Auto-Submitted: auto-generated/im);
    await expectAllClosed(r);
  });

  it('implicit TLS with AUTH LOGIN; plain SMTP to a local relay when security is none', async () => {
    const tls = await receiver({ tls: 'implicit', authMethods: ['LOGIN'] });
    expect(await channel(tls, { security: 'tls' }).send(message)).toEqual({ kind: 'sent' });
    expect(tls.received[0]).toMatchObject({ secure: true, user: 'desk' });
    const relay = await receiver({ tls: 'none', auth: undefined });
    expect(await channel(relay, { security: 'none', auth: undefined }).send(message)).toEqual({ kind: 'sent' });
    expect(relay.received[0]).toMatchObject({ secure: false });
  });

  it('a resolved fault says 恢复 resolved in the subject', async () => {
    const r = await receiver();
    expect(await channel(r).send({ ...message, faults: [fault({ resolved: true })] })).toEqual({ kind: 'sent' });
    expect(r.received[0]!.subject).toBe('[恢复 resolved] H31010100001 读卡器无响应 / card reader not responding');
    expect(r.received[0]!.text).toContain('恢复 resolved · 读卡器无响应 card reader not responding');
  });
});

describe('e-mail failures', () => {
  // Permanent, not retry: the server's capabilities will not change by themselves, and sending anyway would put the
  // message and the password on the wire in the clear. Someone has to fix the server or the channel's security.
  it('security starttls against a server without STARTTLS is permanent and sends nothing', async () => {
    const r = await receiver({ tls: 'none' });
    const outcome = await channel(r).send(message);
    expect(outcome).toMatchObject({ kind: 'permanent', reason: expect.stringContaining("does not offer STARTTLS (security 'starttls' requires it)") });
    expect(r.attempts).toBe(0);
  });

  it('an untrusted certificate (no ca) is permanent and names the certificate', async () => {
    const r = await receiver();
    const outcome = await channel(r, { ca: undefined }).send(message);
    expect(outcome).toMatchObject({ kind: 'permanent', reason: expect.stringMatching(/^the SMTP server's certificate is not trusted: .*certificate/) });
    expect(r.attempts).toBe(0);
    await expectAllClosed(r);
  });

  it('451 is retried; the next message goes through', async () => {
    const r = await receiver();
    r.script.push({ code: 451, text: '4.3.0 try again later' });
    const mail = channel(r);
    expect(await mail.send(message)).toEqual({ kind: 'retry', reason: 'SMTP DATA: 451 4.3.0 try again later' });
    expect(await mail.send(message)).toEqual({ kind: 'sent' });
  });

  it('550 is permanent with the reply text, and no form of the password in the reason', async () => {
    const r = await receiver();
    r.script.push({ code: 550, text: '5.7.1 message refused by policy' }, { code: 554, text: `5.6.0 debug echo: ${PASSWORD}` });
    const mail = channel(r);
    const refused = await mail.send(message);
    expect(refused).toEqual({ kind: 'permanent', reason: 'the SMTP server refused DATA: 550 5.7.1 message refused by policy' });
    const echoed = await mail.send(message); // a server that echoes secrets back must not get them into the reason
    expect(echoed).toMatchObject({ kind: 'permanent', reason: expect.stringContaining('debug echo: ***') });
    for (const outcome of [refused, echoed]) expect(JSON.stringify(outcome)).not.toContain(PASSWORD);
  });

  it('a wrong password is permanent (535) and the reason does not carry it', async () => {
    const r = await receiver();
    const outcome = await channel(r, { auth: { user: 'desk', pass: 'wrong-Pass-123' } }).send(message);
    expect(outcome).toMatchObject({ kind: 'permanent', reason: expect.stringMatching(/^SMTP authentication failed: .*535/) });
    const forms = ['wrong-Pass-123', Buffer.from('wrong-Pass-123').toString('base64'), Buffer.from('\u0000desk\u0000wrong-Pass-123').toString('base64')];
    for (const form of forms) expect(JSON.stringify(outcome)).not.toContain(form);
    expect(r.authFailures).toBe(1);
  });

  it('a server that never answers DATA costs about timeoutMs and is a retry; its socket is closed', async () => {
    const r = await receiver();
    r.script.push('hang');
    const started = Date.now();
    const outcome = await channel(r, { timeoutMs: 500 }).send(message);
    expect(outcome).toEqual({ kind: 'retry', reason: 'SMTP timeout' });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(r.attempts).toBe(1);
    await expectAllClosed(r);
  });

  it('connection refused is a retry', async () => {
    const r = await receiver();
    const port = r.port;
    await receivers.pop()!.close();
    const outcome = await channel(r, { port, timeoutMs: 1_000 }).send(message);
    expect(outcome).toMatchObject({ kind: 'retry', reason: expect.stringContaining('ECONNREFUSED') });
  });
});
