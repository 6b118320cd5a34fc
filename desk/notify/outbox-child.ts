// Test helper process: opens the outbox at argv[2], queues argv[4] messages for a WeCom receiver at argv[3] (unless
// argv[5] is "drain-only"), then drains forever — the test kills it with SIGKILL partway.
import Database from 'better-sqlite3';
import { NotifyOutbox } from '../store/notify-outbox.js';
import { NotifyDispatcher } from './dispatcher.js';
import { wecomChannel } from './wecom.js';

const [path, baseUrl, count, mode] = process.argv.slice(2) as [string, string, string, string | undefined];
const db = new Database(path);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
const outbox = new NotifyOutbox(db);
if (mode !== 'drain-only') {
  for (let i = 0; i < Number(count); i += 1) {
    const message = { faults: [{ faultId: `f${i}`, code: 'x', grade: 'major', titleZh: '测试', titleEn: 'test', agentId: 'a', institution: 'i', since: '2026-12-03T00:00:00Z' }], consoleBaseUrl: 'http://console' };
    outbox.enqueue({ occurrence: `f${i}`, step: 0, channel: 'ops', message: JSON.stringify(message) }, Date.now());
  }
}
process.stdout.write('queued\n');
const dispatcher = new NotifyDispatcher({ outbox, channels: new Map([['ops', wecomChannel({ name: 'ops', key: 'k', baseUrl, timeoutMs: 2_000 })]]) });
for (;;) {
  await dispatcher.drainOnce();
  if (outbox.due(Date.now()).length === 0) process.stdout.write('drained\n');
  await new Promise((r) => setTimeout(r, 20));
}
