import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Desk } from '../../desk/desk.js';
import { startRobotReceiver, type Received, type RobotReceiver } from '../../desk/notify/test-receivers.js';
import { makeTestCertificates, startSmtpReceiver } from '../../desk/notify/test-smtp.js';
import { cli } from './support/cli.js';
import { testEngineer } from './support/engineer.js';
import { agentDeskConfig, initTestDesk, startAgent, waitFor, type TestAgent, type TestDesk } from './support/harness.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => undefined);
});

const MINUTE = 60_000;
const CONSOLE = 'https://desk.example.cn/console';
const AGENT = 'P44010600123-POS-01';

interface Harness {
  d: TestDesk;
  desk: Desk;
  agent: TestAgent;
  /** Moves the desk's clock (not the agent's): escalation and backoff without waiting. */
  advance(ms: number): void;
}

async function receiver(kind: 'wecom' | 'dingtalk' | 'feishu' | 'webhook', creds: { key?: string; secret?: string } = {}): Promise<RobotReceiver> {
  const r = await startRobotReceiver(kind, creds);
  cleanup.push(() => r.close());
  return r;
}

async function start(notify: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): Promise<Harness> {
  const d = await initTestDesk();
  let offset = 0;
  const desk = await Desk.start({ dir: d.dir, env, now: () => new Date(Date.now() + offset), override: (c) => ({ ...c, notify }) });
  cleanup.push(() => desk.stop());
  const agent = await startAgent({ desk: await agentDeskConfig(d, AGENT), id: AGENT });
  cleanup.push(() => agent.stop());
  await waitFor('agent connected', () => agent.tunnel.status().state === 'connected');
  return { d, desk, agent, advance: (ms) => void (offset += ms) };
}

const text = (m: Received): string => {
  const b = m.body as { markdown?: { content?: string; text?: string }; content?: { text?: string } };
  return b.markdown?.content ?? b.markdown?.text ?? b.content?.text ?? m.raw;
};
const linkedFaults = (m: Received): string[] => [...text(m).matchAll(/\/faults\/([\w-]+)/g)].map((x) => x[1]!);

describe('desk notifications', () => {
  it('groups one site’s faults into one message, routes a critical one elsewhere, and says 恢复 when they resolve', async () => {
    const ops = await receiver('wecom', { key: 'wk' });
    const crit = await receiver('dingtalk', { key: 'dt', secret: 'SECdt' });
    const h = await start(
      {
        consoleBaseUrl: CONSOLE,
        groupSeconds: 1,
        channels: {
          ops: { kind: 'wecom', keyEnv: 'WK', baseUrl: ops.baseUrl },
          crit: { kind: 'dingtalk', accessTokenEnv: 'DT', secretEnv: 'DS', baseUrl: crit.baseUrl },
        },
        routes: [{ grades: ['critical'], channels: ['crit'] }, { channels: ['ops'] }],
      },
      { WK: 'wk', DT: 'dt', DS: 'SECdt' },
    );
    await h.agent.setFailing(['reader-1', 'reader-2', 'reader-3'], 'major');
    await waitFor('one grouped message', () => ops.received.length === 1);
    const grouped = ops.received[0]!;
    expect(linkedFaults(grouped)).toHaveLength(3);
    expect(text(grouped)).toContain('(+2)');
    expect(text(grouped)).toContain('一般 major');
    expect(text(grouped)).toContain('P44010600123 示例大药房');
    expect(crit.received).toHaveLength(0);

    await h.agent.setFailing(['pinpad'], 'critical'); // the three readers recover
    await waitFor('critical to crit', () => crit.received.length === 1);
    expect(text(crit.received[0]!)).toContain('严重 critical');
    await waitFor('resolved notice', () => ops.received.length === 2);
    const resolved = ops.received[1]!;
    expect(text(resolved)).toContain('恢复 resolved');
    expect(linkedFaults(resolved).sort()).toEqual(linkedFaults(grouped).sort());
    expect(h.desk.notify.status().map((c) => [c.channel, c.sent, c.failed])).toEqual([
      ['ops', 2, 0],
      ['crit', 1, 0],
    ]);
  });

  it('escalates a fault nobody acknowledged within the response target; an acknowledgement stops the chain', async () => {
    const ops = await receiver('wecom', { key: 'wk' });
    const lead = await receiver('feishu', { key: 'fs', secret: 'fsec' });
    const h = await start(
      {
        consoleBaseUrl: CONSOLE,
        groupSeconds: 0,
        channels: { ops: { kind: 'wecom', keyEnv: 'WK', baseUrl: ops.baseUrl }, lead: { kind: 'feishu', tokenEnv: 'FT', secretEnv: 'FS', baseUrl: lead.baseUrl } },
        routes: [{ channels: ['ops'] }],
        escalation: [{ channels: ['lead'] }, { afterMinutes: 30, grades: ['critical'], channels: ['lead'] }],
      },
      { WK: 'wk', FT: 'fs', FS: 'fsec' },
    );
    await h.agent.setFailing(['reader-1', 'reader-2'], 'major');
    await waitFor('first notices', () => ops.received.flatMap(linkedFaults).length === 2);
    const [unacked, acked] = h.desk.store.listFaults({ agent: AGENT }).map((f) => f.id).sort();
    const engineer = testEngineer(h.desk, 'zhang.wei');
    h.advance(5 * MINUTE);
    await engineer.api.post(`/api/v1/faults/${acked}/ack`, { note: '已联系药房' });

    h.advance(4 * MINUTE); // 9 min: not yet
    await h.desk.notify.runOnce();
    expect(lead.received).toHaveLength(0);
    h.advance(MINUTE + 1_000); // past the default target of 10 min (desk targets.respondMinutes)
    await h.desk.notify.runOnce();
    expect(lead.received).toHaveLength(1);
    expect(linkedFaults(lead.received[0]!)).toEqual([unacked]);
    expect(text(lead.received[0]!)).toContain('升级 escalated');
    expect(text(lead.received[0]!)).toContain('10 分钟内无人确认');

    h.advance(60 * MINUTE); // the 30-min step is for critical faults only
    await h.desk.notify.runOnce();
    expect(lead.received).toHaveLength(1);
    // The fault's timeline says who was told, and why the chain stopped for the other.
    const notices = (id: string) => h.desk.store.timeline({ agentId: AGENT, id })!.entries.filter((e) => e.what === 'notification').map((e) => e.kind);
    expect(notices(unacked!)).toEqual(['first notice → ops: sent', 'escalation 1: fired', 'escalation 1 → lead: sent']);
    expect(notices(acked!)).toEqual(['first notice → ops: sent', 'escalation 1: stopped']);
  });

  it('silences and maintenance windows mute notices but the fault stays on the desk', async () => {
    const ops = await receiver('wecom', { key: 'wk' });
    const now = Date.now();
    const h = await start(
      {
        groupSeconds: 0,
        channels: { ops: { kind: 'wecom', keyEnv: 'WK', baseUrl: ops.baseUrl } },
        routes: [{ channels: ['ops'] }],
        silences: [{ sites: ['P4401'], codes: ['TEST_*'], from: new Date(now - MINUTE).toISOString(), until: new Date(now + 30 * MINUTE).toISOString() }],
      },
      { WK: 'wk' },
    );
    await h.agent.setFailing(['reader-1'], 'critical');
    await waitFor('fault on the desk', () => h.desk.store.listFaults({ agent: AGENT }).length === 1);
    await h.desk.notify.runOnce();
    expect(ops.received).toHaveLength(0);
    expect(h.desk.store.listFaults({ agent: AGENT, state: ['active'] })).toHaveLength(1);
  });

  it('a channel that keeps failing raises NOTIFY_CHANNEL_FAILING, told through another channel, and clears it once sends succeed', async () => {
    const ops = await receiver('wecom', { key: 'wk' });
    const am = await receiver('webhook');
    ops.script.push('http-500', 'http-500', 'http-500');
    const h = await start(
      {
        groupSeconds: 0,
        channels: { ops: { kind: 'wecom', keyEnv: 'WK', baseUrl: ops.baseUrl }, am: { kind: 'webhook', url: `${am.baseUrl}/alerts` } },
        routes: [{ codes: ['NOTIFY_*'], channels: ['am'] }, { channels: ['ops'] }],
      },
      { WK: 'wk' },
    );
    await h.agent.setFailing(['reader-1'], 'major');
    await waitFor('first attempt', () => ops.attempts === 1);
    for (const wait of [5_000, 10_000]) {
      h.advance(wait + 100);
      await h.desk.notify.runOnce();
    }
    expect(ops.attempts).toBe(3);
    await cli(['desk-cli', 'token', 'create', 'li.na', '--save', '--dir', h.d.dir]);
    const status = await cli(['desk-cli', 'notify', '--dir', h.d.dir, '--lang', 'en']);
    expect(status.code).toBe(1); // a failing channel: the exit status says so, for scripts
    expect(status.out).toMatch(/ops\s+│?\s*wecom\s+│?\s*failing ×3/);
    expect(status.out).toContain('HTTP 500');
    const failing = h.desk.store.listFaults({ agent: 'desk', state: ['active'] });
    expect(failing.map((f) => [f.code, f.subject, f.severity])).toEqual([['NOTIFY_CHANNEL_FAILING', 'ops', 'major']]);
    expect(failing[0]!.detail.en).toContain('HTTP 500');
    await h.desk.notify.runOnce();
    await waitFor('told through am', () => am.received.length === 1);
    const alert = (am.received[0]!.body as { alerts: { status: string; labels: Record<string, string> }[] }).alerts[0]!;
    expect(alert).toMatchObject({ status: 'firing', labels: { alertname: 'NOTIFY_CHANNEL_FAILING', agent: 'desk' } });

    h.advance(20_100);
    await h.desk.notify.runOnce();
    expect(ops.received).toHaveLength(1); // delivered at the fourth attempt
    expect(h.desk.store.listFaults({ agent: 'desk', state: ['active'] })).toEqual([]);
    await h.desk.notify.runOnce();
    await waitFor('resolved told through am', () => am.received.length === 2);
    expect((am.received[1]!.body as { status: string }).status).toBe('resolved');
  });

  it('desk-cli notify test CHANNEL sends a test message through the outbox, naming who sent it', async () => {
    const ops = await receiver('wecom', { key: 'wk' });
    const h = await start({ channels: { ops: { kind: 'wecom', keyEnv: 'WK', baseUrl: ops.baseUrl } } }, { WK: 'wk' });
    await cli(['desk-cli', 'token', 'create', 'li.na', '--save', '--dir', h.d.dir]);
    const r = await cli(['desk-cli', 'notify', 'test', 'ops', '--dir', h.d.dir, '--lang', 'en']);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toContain('test message queued');
    await waitFor('test message', () => ops.received.length === 1);
    expect(text(ops.received[0]!)).toContain('测试消息（li.na 发送）');
    const unknown = await cli(['desk-cli', 'notify', 'test', 'nobody', '--dir', h.d.dir]);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('no channel named "nobody"');
  });

  it('e-mails a fault over STARTTLS with the password from an owner-only file, zh/en subject, text and HTML', async () => {
    const certs = makeTestCertificates();
    const smtp = await startSmtpReceiver({ tls: 'starttls', certificates: certs, auth: { user: 'desk', pass: 'pw-9f3k' } });
    cleanup.push(() => smtp.close());
    const d0 = await initTestDesk(); // only for a directory to hold the CA and password files
    writeFileSync(join(d0.dir, 'smtp-ca.pem'), certs.caPem);
    writeFileSync(join(d0.dir, 'smtp.pw'), 'pw-9f3k\n', { mode: 0o600 });
    const h = await start({
      consoleBaseUrl: CONSOLE,
      groupSeconds: 0,
      channels: {
        mail: {
          kind: 'email', host: 'localhost', port: smtp.port, user: 'desk', passwordFile: join(d0.dir, 'smtp.pw'), caFile: join(d0.dir, 'smtp-ca.pem'),
          from: 'Guardpost <guardpost@desk.example.cn>', to: ['oncall@example.cn'],
        },
      },
    });
    await h.agent.setFailing(['reader-1'], 'critical');
    await waitFor('mail received', () => smtp.received.length === 1);
    const mail = smtp.received[0]!;
    expect(mail).toMatchObject({ secure: true, user: 'desk', to: ['oncall@example.cn'] });
    expect(mail.subject).toMatch(/^\[严重 critical\] P44010600123 /);
    expect(mail.text).toContain(`${CONSOLE}/faults/`);
    expect(mail.html).toContain('终端 terminal');
    expect(mail.raw).not.toContain('pw-9f3k');
  });

  it('refuses a notify section with a secret written into desk.json, a bad route or a key file others can read', async () => {
    const d = await initTestDesk();
    const attempt = (notify: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) => Desk.start({ dir: d.dir, env, override: (c) => ({ ...c, notify }) });
    await expect(attempt({ channels: { ops: { kind: 'wecom', key: 'abc' } } })).rejects.toThrow(/notify\.channels\.ops\.key: secrets are not kept in desk\.json/);
    await expect(attempt({ channels: { ops: { kind: 'wecom', keyEnv: 'NOPE' } } })).rejects.toThrow(/notify\.channels\.ops\.keyEnv: the environment variable NOPE is not set/);
    await expect(attempt({ channels: { ops: { kind: 'wecom', keyEnv: 'K' } }, routes: [{ channels: ['oncall'] }] }, { K: 'k' })).rejects.toThrow(
      /notify\.routes\[0\]\.channels\[0\]: no channel named "oncall"/,
    );
    const keyFile = join(d.dir, 'wecom.key');
    writeFileSync(keyFile, 'k\n');
    chmodSync(keyFile, 0o644);
    await expect(attempt({ channels: { ops: { kind: 'wecom', keyFile: 'wecom.key' } } })).rejects.toThrow(/keyFile: .*wecom\.key is readable by others \(mode 644\): make it owner-only, chmod 600/);
    await expect(attempt({ escalation: [{ afterMinutes: 10, channels: [] }] })).rejects.toThrow(/notify\.escalation\[0\]\.channels: is required/);
  });
});
