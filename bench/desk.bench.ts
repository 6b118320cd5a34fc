/**
 * Desk and tunnel benchmark, all on loopback, every baseline measured in the same run:
 * 1. event → desk-committed latency (a real agent and its tunnel; the desk acknowledges after its fsync), against
 *    the round trip of a bare mutual-TLS WebSocket echo server;
 * 2. 10,000 backlogged events flushed after reconnect (target ≤ 5 s), against the same through the echo server;
 * 3. desk ingest rate (events/s committed) from simulated agents, against the bare echo server;
 * 4. the desk holding N simulated agents with heartbeats (target ≥ 5,000 on this 2-core machine): RSS per connection.
 * The desk, the echo server and the simulator (bench/tools/agent-simulator.ts) run in their own processes.
 * Run: node --import tsx bench/desk.bench.ts   (DESK_BENCH_AGENTS=N to change N; last line: BENCH_JSON {...})
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import WebSocket from 'ws';
import { initDesk, issueAgent } from '../desk/init.js';
import { percentile, printBenchJson, procMemory, round, sleep, type SummaryRow } from './support/bench-util.js';
import { startBenchAgent } from './tools/bench-agent.js';
import type { SimOptions, SimResult } from './tools/agent-simulator.js';

const N = Number(process.env.DESK_BENCH_AGENTS ?? 5000);
const ROOT = join(import.meta.dirname, '..');
const started = performance.now();
const elapsed = () => Math.round((performance.now() - started) / 1000);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** A tool in its own process, with the open-files limit raised to the hard limit (thousands of sockets). */
function tool(script: string, args: string[]): ChildProcess {
  const cmd = `ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "${process.execPath}" --import tsx ${script} ${args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')}`;
  return spawn('sh', ['-c', cmd], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
}

function line(child: ChildProcess, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (b: Buffer) => {
      buf += b.toString();
      const m = pattern.exec(buf);
      if (m) {
        child.stdout!.off('data', onData);
        resolve(m);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${String(child.spawnargs.at(-1)).slice(0, 80)} exited (${code}) before printing ${pattern}`)));
  });
}

const stop = (c: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve();
    c.once('exit', () => resolve());
    c.kill('SIGTERM');
  });

async function simulate(opts: Partial<SimOptions> & { url: string }, onConnected?: (n: number) => void): Promise<SimResult> {
  const full: SimOptions = { deskDir, agents: 1, prefix: 'sim-', mode: 'hold', concurrency: 200, connectDeadlineSeconds: 90, heartbeatSeconds: 10, holdSeconds: 10, eventsPerAgent: 0, batch: 200, window: 2000, ...opts };
  const sim = tool('bench/tools/agent-simulator.ts', [JSON.stringify(full)]);
  if (onConnected) void line(sim, /CONNECTED (\d+)/).then((m) => onConnected(Number(m[1])), () => undefined);
  const m = await line(sim, /SIM_RESULT (\{.*\})\n/);
  await stop(sim);
  const r = JSON.parse(m[1]!) as SimResult;
  if (r.failed) console.log(`  (${r.failed} simulated connections to ${opts.url} failed: ${JSON.stringify(r.errors)})`);
  return r;
}

// The desk: quiet log (thousands of connects), fixed port so it can be restarted where the agents expect it.
const deskDir = mkdtempSync(join(tmpdir(), 'gp-bench-desk-'));
const deskPort = await freePort();
await initDesk({ dir: deskDir, names: ['localhost'], agentsPort: deskPort, apiPort: 0, agentsHost: '127.0.0.1' });
const deskFile = join(deskDir, 'desk.json');
writeFileSync(deskFile, JSON.stringify({ ...JSON.parse(readFileSync(deskFile, 'utf8')), log: { file: 'desk.log', level: 'warn', stdout: false } }, null, 2));
const deskUrl = `wss://127.0.0.1:${deskPort}/agent`;
const startDesk = async () => {
  const d = tool('bench/tools/desk-process.ts', [deskDir]);
  await line(d, /READY (\d+)/);
  return d;
};
const echo = tool('bench/tools/echo-server.ts', [deskDir]);
const echoUrl = `wss://127.0.0.1:${(await line(echo, /READY (\d+)/))[1]}/agent`;
let desk = await startDesk();

// 1. Latency: one real agent; detection (report) → durable in the outbox → desk committed (its ack).
const agentDir = mkdtempSync(join(tmpdir(), 'gp-bench-agent-'));
const latencyAgent = await startBenchAgent({ dir: agentDir, id: 'bench-latency', desk: { ...(await issueAgent(deskDir, 'bench-latency', join(agentDir, 'certs'))), url: deskUrl } });
while (latencyAgent.tunnel.status().state !== 'connected') await sleep(5);
const store = latencyAgent.agent.store;
const ackAt = new Map<number, number>();
const origAck = store.ackUpTo.bind(store);
store.ackUpTo = (seq: number) => (ackAt.set(seq, performance.now()), origAck(seq));
const durableAt = new Map<number, number>();
latencyAgent.agent.events.on('transitions', (list) => list.forEach((t) => durableAt.set(t.seq, performance.now())));
const toAck: number[] = [];
const toDurable: number[] = [];
const durableToAck: number[] = [];
for (let i = 0; i < 230; i++) {
  const t0 = performance.now();
  const before = store.lastSeq;
  // A new subject opens each time and the next report resolves it: one transition per report, no flapping.
  await latencyAgent.setFailing(i % 2 ? [] : [`COM${i}`]);
  const seq = store.lastSeq;
  if (seq === before) throw new Error('the report produced no transition');
  while (![...ackAt.keys()].some((s) => s >= seq)) await sleep(0);
  if (i < 30) continue; // warm-up
  const acked = [...ackAt].find(([s]) => s >= seq)![1];
  toAck.push(acked - t0);
  toDurable.push(durableAt.get(seq)! - t0);
  durableToAck.push(acked - durableAt.get(seq)!);
  ackAt.clear();
}
await latencyAgent.stop();
const client = new WebSocket(echoUrl, { ca: readFileSync(join(deskDir, 'ca.pem')), cert: readFileSync(join(agentDir, 'certs', 'bench-latency.pem')), key: readFileSync(join(agentDir, 'certs', 'bench-latency.key')), perMessageDeflate: false });
await new Promise((r) => client.once('open', r));
const frame = JSON.stringify({ type: 'events', events: [{ pad: 'x'.repeat(900) }] });
const echoRtt: number[] = [];
for (let i = 0; i < 230; i++) {
  const t0 = performance.now();
  client.send(frame);
  await new Promise((r) => client.once('message', r));
  if (i >= 30) echoRtt.push(performance.now() - t0);
}
client.terminate();
const lat = {
  detectToCommittedP50: round(percentile(toAck, 50)),
  detectToCommittedP99: round(percentile(toAck, 99)),
  detectToDurableP50: round(percentile(toDurable, 50)),
  durableToCommittedP50: round(percentile(durableToAck, 50)),
  durableToCommittedP99: round(percentile(durableToAck, 99)),
  echoRttP50: round(percentile(echoRtt, 50)),
  echoRttP99: round(percentile(echoRtt, 99)),
};
console.log(`[${elapsed()} s] latency ms: detection→desk committed p50 ${lat.detectToCommittedP50} p99 ${lat.detectToCommittedP99} (local durable write p50 ${lat.detectToDurableP50}; durable→committed p50 ${lat.durableToCommittedP50} p99 ${lat.durableToCommittedP99}); bare wss echo round trip p50 ${lat.echoRttP50} p99 ${lat.echoRttP99}`);

// 2. Backlog: 10,000 transitions made while the desk is down, flushed when it is back.
await stop(desk);
const backlogDir = mkdtempSync(join(tmpdir(), 'gp-bench-agent-'));
const backlogAgent = await startBenchAgent({
  dir: backlogDir,
  id: 'bench-backlog',
  desk: { ...(await issueAgent(deskDir, 'bench-backlog', join(backlogDir, 'certs'))), url: deskUrl },
  outbox: { maxEvents: 50_000, maxBytes: 256 * 1024 * 1024 },
});
const subjects = Array.from({ length: 5000 }, (_, i) => `COM${i}`);
await backlogAgent.setFailing(subjects);
await backlogAgent.setFailing([]);
const backlog = backlogAgent.agent.store.pendingTransitions().length;
desk = await startDesk();
while (backlogAgent.tunnel.status().state !== 'connected') await sleep(2);
const flushStart = performance.now();
while (backlogAgent.agent.store.pendingTransitions().length > 0 || (backlogAgent.tunnel.status().ackedSeq ?? 0) < backlogAgent.agent.store.lastSeq) await sleep(5);
const flushSeconds = round((performance.now() - flushStart) / 1000);
await backlogAgent.stop();
const echoBacklog = await simulate({ url: echoUrl, mode: 'ingest', agents: 1, prefix: 'echo-backlog-', eventsPerAgent: backlog, batch: 200, window: 1000, holdSeconds: 30 });
console.log(`[${elapsed()} s] backlog: ${backlog} events flushed in ${flushSeconds} s (bare echo: ${echoBacklog.ingestSeconds} s)`);

// 3. Ingest rate: 20 agents sending as fast as acknowledgements allow.
const ingest = await simulate({ url: deskUrl, mode: 'ingest', agents: 20, prefix: 'ingest-', eventsPerAgent: 5000, batch: 200, window: 2000, holdSeconds: 60 });
const echoIngest = await simulate({ url: echoUrl, mode: 'ingest', agents: 20, prefix: 'echo-', eventsPerAgent: 5000, batch: 200, window: 2000, holdSeconds: 60 });
console.log(`[${elapsed()} s] ingest: desk ${ingest.eventsPerSecond} events/s committed (${ingest.eventsAcked} events), bare echo ${echoIngest.eventsPerSecond} events/s`);

// 4. N agents connected, with heartbeats.
await stop(desk);
desk = await startDesk();
await sleep(500);
const idle = procMemory(desk.pid!).rssKB;
let heldRss = 0;
let online = 0;
const hold = await simulate({ url: deskUrl, mode: 'hold', agents: N, prefix: 'sim-', concurrency: 250, heartbeatSeconds: 10, holdSeconds: 10 }, (n) => {
  void sleep(8000).then(() => {
    heldRss = procMemory(desk.pid!).rssKB;
    const db = new Database(join(deskDir, 'desk.db'), { readonly: true });
    online = (db.prepare(`SELECT COUNT(*) AS n FROM agents WHERE online = 1 AND id LIKE 'sim-%'`).get() as { n: number }).n;
    db.close();
    console.log(`[${elapsed()} s] ${n} simulated agents connected; desk RSS ${Math.round(heldRss / 1024)} MB, ${online} online in its database`);
  });
});
await stop(desk);
await stop(echo);
const perConnKB = hold.connected ? round((heldRss - idle) / hold.connected) : 0;
console.log(`[${elapsed()} s] hold: ${hold.connected}/${N} connected in ${hold.connectSeconds} s (${hold.failed} failed ${JSON.stringify(hold.errors)}), ${hold.heartbeatsAcked} heartbeats answered; desk RSS idle ${Math.round(idle / 1024)} MB → ${Math.round(heldRss / 1024)} MB = ${perConnKB} kB per connection`);

const summary: SummaryRow[] = [
  { figure: 'event→desk committed p50 (detection to ack)', value: lat.detectToCommittedP50, unit: 'ms', baseline: lat.echoRttP50, ratio: round(lat.detectToCommittedP50 / lat.echoRttP50) },
  { figure: 'event→desk committed p99', value: lat.detectToCommittedP99, unit: 'ms', baseline: lat.echoRttP99, ratio: round(lat.detectToCommittedP99 / lat.echoRttP99) },
  { figure: 'durable in outbox→desk committed p50', value: lat.durableToCommittedP50, unit: 'ms', baseline: lat.echoRttP50, ratio: round(lat.durableToCommittedP50 / lat.echoRttP50) },
  { figure: `backlog of ${backlog} flushed after reconnect`, value: flushSeconds, unit: 's', baseline: echoBacklog.ingestSeconds, ratio: round(flushSeconds / echoBacklog.ingestSeconds), target: '≤ 5 s', verdict: flushSeconds <= 5 ? 'PASS' : 'MISS' },
  { figure: 'desk ingest (20 agents)', value: ingest.eventsPerSecond, unit: 'events/s', baseline: echoIngest.eventsPerSecond, ratio: round(ingest.eventsPerSecond / echoIngest.eventsPerSecond) },
  { figure: 'simulated agents held with heartbeats', value: hold.connected, unit: 'conns', target: '≥ 5000', verdict: hold.connected >= 5000 ? 'PASS' : 'MISS' },
  { figure: 'desk RSS per held connection', value: perConnKB, unit: 'kB' },
  { figure: `desk RSS with ${hold.connected} agents (idle desk in baseline)`, value: Math.round(heldRss / 1024), unit: 'MB', baseline: Math.round(idle / 1024), ratio: round(heldRss / idle) },
];
console.log('');
for (const s of summary) console.log(`${s.figure.padEnd(48)} ${String(s.value).padStart(9)} ${s.unit.padEnd(9)} ${s.baseline === undefined ? '' : `baseline ${s.baseline}`} ${s.ratio === undefined ? '' : `ratio ${s.ratio}`} ${s.verdict ?? ''}`);
printBenchJson({ bench: 'desk', summary, latency: lat, backlog: { events: backlog, flushSeconds, echoSeconds: echoBacklog.ingestSeconds }, ingest, echoIngest, hold: { ...hold, online, idleRssKB: idle, heldRssKB: heldRss, perConnKB }, totalSeconds: elapsed() });
process.exit(0);
