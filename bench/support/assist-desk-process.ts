/**
 * Bench tool for bench/assist.bench.ts: the reference desk (agents' endpoint and the engineer API) in its own process,
 * so neither the measuring client nor the agent shares its event loop. Creates an engineer token and prints
 *   READY {"agentsPort":…,"apiPort":…,"token":"…"}
 * then, for every fault transition it commits, one line
 *   COMMITTED <agentId> <seq> <agent's transition time, ISO> <commit time, epoch ms with µs>
 * (taken right after the store's group commit returned: the moment the desk store shows the occurrence).
 * On "stats" from stdin: STATS {"rssKB":…,"transactions":…,"ops":…}.
 * Run: node --import tsx bench/support/assist-desk-process.ts DESK_DIR ENGINEER_NAME
 */
import { readFileSync } from 'node:fs';
import { Desk } from '../../desk/desk.js';
import type { IngestOp, OpResult } from '../../desk/store/types.js';

const [dir, engineer] = process.argv.slice(2) as [string, string];
const desk = await Desk.start({ dir });
const store = desk.store;
const apply = store.apply.bind(store);
store.apply = (ops: IngestOp[], durable?: boolean): OpResult[] => {
  const results = apply(ops, durable);
  const committed = (performance.timeOrigin + performance.now()).toFixed(3);
  let out = '';
  for (const op of ops) {
    if (op.kind !== 'events') continue;
    for (const e of op.events) out += `COMMITTED ${op.agentId} ${e.seq} ${e.at} ${committed}\n`;
  }
  if (out) process.stdout.write(out);
  return results;
};
const token = store.createToken(engineer, new Date().toISOString());
process.stdout.write(`READY ${JSON.stringify({ agentsPort: desk.agentsPort, apiPort: desk.apiPort, token })}\n`);
process.stdin.on('data', (b) => {
  if (!b.toString().includes('stats')) return;
  const rssKB = Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
  process.stdout.write(`STATS ${JSON.stringify({ rssKB, ...desk.queue.stats, sessions: desk.registry.size })}\n`);
});
process.on('SIGTERM', () => void desk.stop().then(() => process.exit(0)));
