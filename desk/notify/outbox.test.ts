import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NotifyOutbox } from '../store/notify-outbox.js';
import { NotifyDispatcher } from './dispatcher.js';
import { startRobotReceiver, type RobotReceiver } from './test-receivers.js';
import { wecomChannel } from './wecom.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'notify-outbox-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'desk.sqlite');
}
async function receiver(): Promise<RobotReceiver> {
  const r = await startRobotReceiver('wecom', { key: 'k' });
  cleanups.push(() => r.close());
  return r;
}
const msg = (id: string): string =>
  JSON.stringify({ faults: [{ faultId: id, code: 'x', grade: 'major', titleZh: '测试', titleEn: 'test', agentId: 'a', institution: 'i', since: 'now' }] });
describe('notification outbox', () => {
  it('deduplicates per (occurrence, step, channel), backs off on retry, records permanent failures in health', async () => {
    const db = new Database(tempDb());
    cleanups.push(() => void db.close());
    const outbox = new NotifyOutbox(db);
    expect(outbox.enqueue({ occurrence: 'o1', step: 0, channel: 'ops', message: msg('o1') }, 1000)).toBe(true);
    expect(outbox.enqueue({ occurrence: 'o1', step: 0, channel: 'ops', message: msg('o1') }, 1001)).toBe(false);
    expect(outbox.enqueue({ occurrence: 'o1', step: 1, channel: 'ops', message: msg('o1') }, 1002)).toBe(true);
    const r = await receiver();
    r.script.push('rate-limit');
    let clock = 2_000;
    const dispatcher = new NotifyDispatcher({ outbox, channels: new Map([['ops', wecomChannel({ name: 'ops', key: 'k', baseUrl: r.baseUrl })]]), now: () => clock });
    expect(await dispatcher.drainOnce()).toBe(0); // 45009: retried later, the rest of the channel waits
    expect(outbox.due(clock)).toHaveLength(1); // o1/0 backed off, o1/1 still due
    clock += 5_000;
    expect(await dispatcher.drainOnce()).toBe(2);
    expect(r.received).toHaveLength(2);
    outbox.enqueue({ occurrence: 'o2', step: 0, channel: 'ops', message: msg('o2') }, clock);
    const bad = new NotifyDispatcher({ outbox, channels: new Map([['ops', wecomChannel({ name: 'ops', key: 'wrong', baseUrl: r.baseUrl })]]), now: () => clock });
    await bad.drainOnce();
    expect(outbox.health()).toEqual([{ channel: 'ops', pending: 0, failed: 1, sent: 2, lastError: expect.stringContaining('93000') }]);
    expect(outbox.due(clock + 3_600_000)).toHaveLength(0); // a permanent failure is never retried
  });

  it('a process killed -9 mid-delivery: after restart all 100 are delivered, each once (at most the one in flight twice)', async () => {
    const path = tempDb();
    const r = await receiver();
    const run = (mode?: string): ChildProcess => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'desk/notify/outbox-child.ts', path, r.baseUrl, '100', ...(mode ? [mode] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
      cleanups.push(() => void child.kill('SIGKILL'));
      return child;
    };
    const waitFor = async (cond: () => boolean, ms = 20_000): Promise<void> => {
      const until = Date.now() + ms;
      while (!cond()) {
        if (Date.now() > until) throw new Error('timed out');
        await new Promise((res) => setTimeout(res, 10));
      }
    };
    const first = run();
    await waitFor(() => r.received.length >= 30);
    first.kill('SIGKILL');
    await new Promise((res) => first.once('exit', res));
    const before = r.received.length;
    expect(before).toBeLessThan(100);
    const second = run('drain-only');
    let out = '';
    second.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    await waitFor(() => out.includes('drained'));
    second.kill('SIGKILL');
    const counts = new Map<string, number>();
    for (const x of r.received) {
      const id = /faults\/(f\d+)/.exec((x.body as { markdown: { content: string } }).markdown.content)?.[1] ?? 'none';
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    expect(counts.size).toBe(100);
    expect([...counts.values()].filter((n) => n > 1).length).toBeLessThanOrEqual(1);
  });
});
