/**
 * Desk notifications benchmark, on loopback, baselines measured in the same run:
 * 1. fault raised on a real agent → first notification received by a WeCom-shaped robot (groupSeconds 0), p50/p99,
 *    against the same fault's desk ingest latency (raised → committed and acknowledged to the agent);
 * 2. 1,000 faults of 1,000 sites committed in one burst, to one robot held to 20 messages a minute: messages sent,
 *    time from the commit to an empty outbox, and the planning pass's cost; against sending 20 messages straight to
 *    the same robot.
 * Run: node --import tsx bench/notify.bench.ts   (last line: BENCH_JSON {...})
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Desk } from '../desk/desk.js';
import { initDesk, issueAgent } from '../desk/init.js';
import { parseNotifyConfig } from '../desk/notify/notify-config.js';
import { NotifyService } from '../desk/notify/notify-service.js';
import { startRobotReceiver } from '../desk/notify/test-receivers.js';
import { wecomChannel } from '../desk/notify/wecom.js';
import { SqliteDeskStore } from '../desk/store/sqlite-store.js';
import type { IngestOp } from '../desk/store/types.js';
import { percentile, printBenchJson, round, sleep, type SummaryRow } from './support/bench-util.js';
import { startBenchAgent } from './tools/bench-agent.js';

const SAMPLES = 150;
const BURST = 1_000;
const started = performance.now();
const summary: SummaryRow[] = [];

async function until(cond: () => boolean, timeoutMs = 10_000): Promise<number> {
  const end = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > end) throw new Error('timed out');
    await sleep(1);
  }
  return performance.now();
}

// 1. Latency through the real desk.
const robot = await startRobotReceiver('wecom', { key: 'wk' });
const deskDir = mkdtempSync(join(tmpdir(), 'gp-bench-notify-'));
await initDesk({ dir: deskDir, names: ['localhost'], agentsPort: 0, apiPort: 0, agentsHost: '127.0.0.1' });
const desk = await Desk.start({
  dir: deskDir,
  api: false,
  env: { WK: 'wk' },
  logger: pino({ level: 'silent' }),
  override: (c) => ({ ...c, notify: { groupSeconds: 0, channels: { ops: { kind: 'wecom', keyEnv: 'WK', baseUrl: robot.baseUrl, perMinute: 0 } } } }),
});
const agentDir = mkdtempSync(join(tmpdir(), 'gp-bench-notify-agent-'));
const agent = await startBenchAgent({ dir: agentDir, id: 'bench-notify', desk: { ...(await issueAgent(deskDir, 'bench-notify', join(agentDir, 'certs'))), url: `wss://localhost:${desk.agentsPort}/agent` } });
await until(() => agent.tunnel.status().state === 'connected');
const ingestMs: number[] = [];
const notifyMs: number[] = [];
const failing: string[] = [];
for (let i = 0; i < SAMPLES + 10; i += 1) {
  failing.push(`reader-${i}`);
  const seen = robot.received.length;
  const t0 = performance.now();
  await agent.setFailing(failing);
  const seq = agent.agent.store.lastSeq;
  const committed = await until(() => (agent.tunnel.status().ackedSeq ?? 0) >= seq);
  const told = await until(() => robot.received.length > seen);
  if (i >= 10) {
    ingestMs.push(committed - t0);
    notifyMs.push(told - t0);
  }
  await sleep(5);
}
await agent.stop();
await desk.stop();
const latency = {
  ingestP50Ms: round(percentile(ingestMs, 50)),
  ingestP99Ms: round(percentile(ingestMs, 99)),
  notifyP50Ms: round(percentile(notifyMs, 50)),
  notifyP99Ms: round(percentile(notifyMs, 99)),
};
console.log(`fault → desk committed: p50 ${latency.ingestP50Ms} ms, p99 ${latency.ingestP99Ms} ms (baseline)`);
console.log(`fault → first notification received: p50 ${latency.notifyP50Ms} ms, p99 ${latency.notifyP99Ms} ms`);
summary.push(
  { figure: 'fault → notification p50', value: latency.notifyP50Ms, unit: 'ms', baseline: latency.ingestP50Ms, ratio: round(latency.notifyP50Ms / latency.ingestP50Ms) },
  { figure: 'fault → notification p99', value: latency.notifyP99Ms, unit: 'ms', baseline: latency.ingestP99Ms, ratio: round(latency.notifyP99Ms / latency.ingestP99Ms) },
);

// 2. A burst to one rate-limited robot.
const burstRobot = await startRobotReceiver('wecom', { key: 'wk' });
const direct = wecomChannel({ name: 'direct', key: 'wk', baseUrl: burstRobot.baseUrl });
const d0 = performance.now();
for (let i = 0; i < 20; i += 1) await direct.send({ faults: [{ faultId: `d${i}`, code: 'X', grade: 'major', titleZh: '测试', titleEn: 'test', agentId: 'a', institution: 'i', since: new Date().toISOString() }] });
const directMs = performance.now() - d0;
burstRobot.received.length = 0;

const store = new SqliteDeskStore(join(mkdtempSync(join(tmpdir(), 'gp-bench-notify-burst-')), 'desk.db'));
const at = new Date().toISOString();
const ops: IngestOp[] = [];
for (let i = 0; i < BURST; i += 1) {
  const id = `sim-${i}`;
  const site = { fixmedins_code: `H${String(31010100000 + i)}`, fixmedins_name: `药房 ${i}`, mdtrtarea_admvs: '310101', terminalId: 'POS-01' };
  ops.push({ kind: 'connected', agent: { id, site, profile: 'pharmacy', version: 'bench', protocol: 1 }, connId: `c${i}`, at });
  const fault = {
    id: `occ-${i}`, key: `key-${i}`, code: 'READER_NO_RESPONSE', severity: 'major', title: { zh: '读卡器无响应', en: 'reader does not answer' }, detail: { zh: '', en: '' },
    checkId: 'reader', subject: 'COM3', labels: {}, evidence: {}, firstSeen: at, lastSeen: at, occurrences: 1, state: 'open', inhibitedBy: [],
  };
  ops.push({ kind: 'events', agentId: id, events: [{ seq: 1, kind: 'opened', at, detectedAt: at, fault }] as never, at });
}
const config = parseNotifyConfig(
  { groupSeconds: 0, channels: { ops: { kind: 'wecom', keyEnv: 'WK', baseUrl: burstRobot.baseUrl } } },
  { dir: deskDir, env: { WK: 'wk' }, respondMinutes: 10 },
);
const service = new NotifyService({ store, config, now: () => new Date(), logger: pino({ level: 'silent' }) });
store.apply(ops);
const b0 = performance.now();
await service.runOnce();
const drainMs = performance.now() - b0;
// Every fault accounted for: listed in full, or counted in the summary's "另有 N 条故障".
const contents = burstRobot.received.map((m) => (m.body as { markdown: { content: string } }).markdown.content);
const told = contents.reduce((n, c) => n + [...c.matchAll(/终端 terminal/g)].length - (c.includes('另有') ? 1 : 0) + Number(/另有 (\d+) 条故障/.exec(c)?.[1] ?? 0), 0);
const status = service.status()[0]!;
await service.stop();
store.close();
await robot.close();
await burstRobot.close();
const burst = { faults: BURST, faultsTold: told, messagesSent: burstRobot.received.length, merged: status.merged, pending: status.pending, drainMs: round(drainMs), direct20Ms: round(directMs) };
console.log(`burst of ${BURST} faults (${BURST} sites) to one robot at 20/min: ${burst.messagesSent} messages sent telling ${told} faults (${burst.merged} messages merged into the last), outbox empty after ${burst.drainMs} ms; 20 sends straight to the robot: ${burst.direct20Ms} ms`);
summary.push(
  { figure: `burst ${BURST} faults: messages sent`, value: burst.messagesSent, unit: 'messages', target: '≤ 20 (the robot’s minute), nothing dropped', verdict: burst.messagesSent <= 20 && burst.pending === 0 && told === BURST ? 'PASS' : 'MISS' },
  { figure: `burst ${BURST} faults: time to drain`, value: burst.drainMs, unit: 'ms', baseline: burst.direct20Ms, ratio: round(burst.drainMs / burst.direct20Ms) },
);
printBenchJson({ bench: 'notify', latency, burst, elapsedS: Math.round((performance.now() - started) / 1000), summary });
