import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteDeskStore } from '../store/sqlite-store.js';
import type { ChannelEntry } from './channel-factory.js';
import { NotifyDispatcher } from './dispatcher.js';
import { startRobotReceiver, type RobotReceiver } from './test-receivers.js';
import type { NotifyMessage } from './types.js';
import { webhookChannel } from './webhook.js';
import { wecomChannel } from './wecom.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function store(): SqliteDeskStore {
  const dir = mkdtempSync(join(tmpdir(), 'notify-dispatch-'));
  const s = new SqliteDeskStore(join(dir, 'desk.db'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => s.close());
  return s;
}
async function receiver(kind: 'wecom' | 'webhook' = 'wecom'): Promise<RobotReceiver> {
  const r = await startRobotReceiver(kind, { key: 'k' });
  cleanups.push(() => r.close());
  return r;
}
const message = (id: string): string =>
  JSON.stringify({
    faults: [{ faultId: id, code: 'READER_GONE', grade: 'major', titleZh: '读卡器断开', titleEn: 'reader gone', agentId: 'a', institution: `H${id}`, since: '2026-12-03T00:00:00Z' }],
    consoleBaseUrl: 'https://desk.example/console',
  } satisfies NotifyMessage);
const content = (r: RobotReceiver, i: number): string => (r.received[i]!.body as { markdown: { content: string } }).markdown.content;

describe('notification dispatcher', () => {
  it('backs off a channel that answers "retry", keeps a permanent failure and never sends it again', async () => {
    const s = store();
    const r = await receiver();
    let clock = 1_000_000;
    s.notify.enqueue('ops', message('f1'), [], clock);
    s.notify.enqueue('ops', message('f2'), [], clock);
    r.script.push('rate-limit'); // WeCom 45009
    const channels = new Map<string, ChannelEntry>([['ops', { channel: wecomChannel({ name: 'ops', key: 'k', baseUrl: r.baseUrl }), perMinute: 20 }]]);
    const d = new NotifyDispatcher({ store: s.notify, channels, now: () => clock });
    expect(await d.drainOnce()).toBe(0);
    expect(s.notify.dueMessages('ops', clock, 10).map((m) => m.id)).toEqual([]); // f1 backs off 5 s; f2 waits behind it (order kept)
    clock += 5_000;
    expect(await d.drainOnce()).toBe(2);
    expect(r.received.map((_, i) => /faults\/(f\d)/.exec(content(r, i))![1])).toEqual(['f1', 'f2']);

    s.notify.enqueue('ops', message('f3'), [], clock);
    const wrongKey = new Map<string, ChannelEntry>([['ops', { channel: wecomChannel({ name: 'ops', key: 'wrong', baseUrl: r.baseUrl }), perMinute: 20 }]]);
    await new NotifyDispatcher({ store: s.notify, channels: wrongKey, now: () => clock }).drainOnce();
    expect(s.notify.health()).toEqual([expect.objectContaining({ channel: 'ops', pending: 0, failed: 1, sent: 2, lastError: expect.stringContaining('93000') })]);
    clock += 3_600_000;
    expect(s.notify.dueMessages('ops', clock, 10)).toEqual([]);
  });

  it('holds a channel to its budget: 25 due at once go as 19 messages and one summary of the other 6', async () => {
    const s = store();
    const r = await receiver();
    let clock = 2_000_000;
    for (let i = 0; i < 25; i += 1) s.notify.enqueue('ops', message(`f${i}`), [], clock);
    const channels = new Map<string, ChannelEntry>([['ops', { channel: wecomChannel({ name: 'ops', key: 'k', baseUrl: r.baseUrl }), perMinute: 20 }]]);
    const d = new NotifyDispatcher({ store: s.notify, channels, now: () => clock, maxFaultsListed: 3 });
    expect(await d.drainOnce()).toBe(20);
    expect(r.received).toHaveLength(20);
    const summary = content(r, 19);
    expect(summary).toContain('(+3)'); // three listed in full and the count of the rest
    expect(summary).toContain('另有 3 条故障 and 3 more faults');
    expect(s.notify.health()[0]).toMatchObject({ sent: 20, merged: 6, pending: 0 });

    s.notify.enqueue('ops', message('late'), [], clock);
    expect(await d.drainOnce()).toBe(0); // the minute's budget is spent
    expect(d.nextSlotAt('ops')).toBe(clock + 60_000);
    clock += 60_001;
    expect(await d.drainOnce()).toBe(1);
    expect(content(r, 20)).toContain('faults/late');
  });

  it('a hung receiver holds up only its own channel', async () => {
    const s = store();
    const hung = await receiver();
    const fine = await receiver('webhook');
    hung.script.push('hang');
    const clock = 3_000_000;
    s.notify.enqueue('slow', message('s1'), [], clock);
    s.notify.enqueue('fast', message('q1'), [], clock);
    const channels = new Map<string, ChannelEntry>([
      ['slow', { channel: wecomChannel({ name: 'slow', key: 'k', baseUrl: hung.baseUrl, timeoutMs: 1_500 }), perMinute: 20 }],
      ['fast', { channel: webhookChannel({ name: 'fast', url: `${fine.baseUrl}/hook` }), perMinute: 0 }],
    ]);
    const d = new NotifyDispatcher({ store: s.notify, channels, now: () => clock });
    const pass = d.drainOnce();
    await expect.poll(() => fine.received.length, { timeout: 1_000 }).toBe(1); // delivered while the other hangs
    expect(hung.received).toHaveLength(0);
    await pass;
    expect(s.notify.health().find((h) => h.channel === 'slow')).toMatchObject({ pending: 1, lastError: 'timeout' });
  });
});
