/**
 * Child process of the roll-up crash test: records results an hour apart (so days close, and both the month file and
 * the live file are written) and flushes as fast as it can, printing the number of results each successful flush
 * made durable. It carries on from what the last writer left. The parent kills it with SIGKILL.
 * Usage: node --import tsx rollup-writer.ts <dir>
 */
import { RollupStore } from '../rollup-store.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: rollup-writer.ts <dir>');
const LAST = Date.UTC(2026, 11, 28, 4); // stays in December
let at = Date.UTC(2026, 11, 1, 4);
const store = await RollupStore.open({ dir, months: 13, utcOffsetMinutes: 480, now: () => new Date(at), flushIntervalMs: 3_600_000 });
const days = Object.values(store.snapshot().checks.probe?.target ?? {});
let total = days.reduce((n, d) => n + d.n, 0);
at = Math.max(at, ...days.map((d) => Date.parse(d.last)));
for (;;) {
  at = Math.min(LAST, at + 3_600_000);
  const results = Array.from({ length: 50 }, (_, i) => ({
    status: i % 10 ? ('ok' as const) : ('fail' as const), reason: i % 10 ? 'ok' : 'timeout', subject: 'target',
    evidence: { totalMs: 10 + i, usedPercent: 50 }, message: { zh: '', en: '' }, time: new Date(at).toISOString(), durationMs: 1,
  }));
  store.record('probe', results);
  total += results.length;
  const counted = total;
  if (await store.flush()) process.stdout.write(`${counted}\n`);
}
