/**
 * Bench tool: many simulated agents against a desk (or a bare echo server), each its own mutual-TLS WebSocket
 * speaking the desk protocol: hello, snapshot, heartbeats, and in "ingest" mode events as fast as acks allow.
 * Run: node --import tsx bench/tools/agent-simulator.ts '<json options>'   (prints CONNECTED …, then SIM_RESULT {…})
 */
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { makeAgentCerts } from './cert-factory.js';

export interface SimOptions {
  url: string;
  deskDir: string;
  agents: number;
  prefix: string;
  mode: 'hold' | 'ingest';
  /** Handshakes in progress at once. */
  concurrency: number;
  /** Stop opening new connections after this long (a bench has a time budget). */
  connectDeadlineSeconds: number;
  heartbeatSeconds: number;
  holdSeconds: number;
  /** ingest: events per agent, batch size, events in flight. */
  eventsPerAgent: number;
  batch: number;
  window: number;
}

export interface SimResult {
  connected: number;
  failed: number;
  errors: Record<string, number>;
  connectSeconds: number;
  heartbeatsAcked: number;
  eventsAcked: number;
  ingestSeconds: number;
  eventsPerSecond: number;
}

const now = () => new Date().toISOString();

function eventJson(agentId: string, seq: number): string {
  const t = now();
  return `{"seq":${seq},"kind":"opened","at":"${t}","detectedAt":"${t}","fault":{"id":"${agentId}-${seq}","key":"${agentId}-k${seq % 50}","code":"READER_NO_RESPONSE","severity":"major","title":{"zh":"读卡器无响应","en":"Card reader does not answer"},"detail":{"zh":"串口 COM3 在 3 秒内无应答","en":"no answer on COM3 within 3 s"},"checkId":"reader","subject":"COM3","labels":{"port":"COM3"},"evidence":{"timeoutMs":3000,"attempts":3,"port":"COM3"},"firstSeen":"${t}","lastSeen":"${t}","occurrences":3,"state":"open","inhibitedBy":[]}}`;
}

function heartbeat(): string {
  const m = process.memoryUsage();
  return JSON.stringify({
    type: 'heartbeat',
    at: now(),
    health: { rssBytes: m.rss, heapUsedBytes: m.heapUsed, cpuPercent: 0.3, uptimeSeconds: 100, outboxDepth: 0, outboxBytes: 0, oldestUndeliveredAgeSeconds: null, evicted: 0, storeWriteError: false, checks: { total: 8, failing: 0 }, faults: { critical: 0, major: 1, minor: 0 } },
    critical: [],
  });
}

export async function simulate(o: SimOptions, onConnected?: (n: number, seconds: number) => void): Promise<SimResult> {
  const { key, ca, certs } = await makeAgentCerts(o.deskDir, o.prefix, o.agents);
  const r: SimResult = { connected: 0, failed: 0, errors: {}, connectSeconds: 0, heartbeatsAcked: 0, eventsAcked: 0, ingestSeconds: 0, eventsPerSecond: 0 };
  const sockets: WebSocket[] = [];
  const timers: NodeJS.Timeout[] = [];
  let firstSend = 0;
  let lastAck = 0;
  let ingestDone = 0;
  let resolveIngest: () => void = () => undefined;
  const ingestFinished = new Promise<void>((resolve) => (resolveIngest = resolve));

  const open = (i: number) =>
    new Promise<void>((resolve) => {
      const { id, cert } = certs[i]!;
      const ws = new WebSocket(o.url, { ca, cert, key, perMessageDeflate: false, maxPayload: 1024 * 1024, handshakeTimeout: 60_000 });
      let seq = 0;
      let acked = 0;
      let ready = false;
      const pump = () => {
        while (ready && seq - acked < o.window && seq < o.eventsPerAgent) {
          const n = Math.min(o.batch, o.eventsPerAgent - seq, o.window - (seq - acked));
          const parts: string[] = [];
          for (let k = 0; k < n; k++) parts.push(eventJson(id, ++seq));
          firstSend ||= performance.now();
          ws.send(`{"type":"events","events":[${parts.join(',')}]}`);
        }
      };
      const onAck = (upTo: number) => {
        r.eventsAcked += upTo - acked;
        acked = upTo;
        lastAck = performance.now();
        if (acked >= o.eventsPerAgent) {
          if (++ingestDone === r.connected) resolveIngest();
        } else pump();
      };
      ws.on('open', () => {
        ws.send(JSON.stringify({ type: 'hello', protocol: 1, agentId: id, agentVersion: 'sim', capabilities: ['snapshot', 'events', 'heartbeat'], lastAckedSeq: 0, seq: 0, site: { fixmedins_code: 'P44010600123', fixmedins_name: 'sim', mdtrtarea_admvs: '440106', terminalId: id.slice(-12) }, profile: 'terminal', sentAt: now() }));
      });
      ws.on('message', (data) => {
        const text = data.toString();
        const type = /"type":"([^"]+)"/.exec(text)?.[1];
        if (type === 'hello' && !ready) {
          ready = true;
          r.connected++;
          sockets.push(ws);
          ws.send(JSON.stringify({ type: 'snapshot', asOfSeq: 0, at: now(), faults: [] }));
          const beat = () => ws.readyState === ws.OPEN && ws.send(heartbeat());
          const first = setTimeout(() => {
            beat();
            timers.push(setInterval(beat, o.heartbeatSeconds * 1000));
          }, Math.random() * o.heartbeatSeconds * 1000);
          timers.push(first);
          resolve();
        } else if (type === 'heartbeat-ack' || type === 'heartbeat') r.heartbeatsAcked++;
        else if (type === 'ack') onAck(Number(/"upToSeq":(\d+)/.exec(text)![1]));
        // The bare echo server sends the events frame back: its last seq counts as acknowledged.
        else if (type === 'events') onAck(Number(/"seq":(\d+)/.exec(text.slice(text.lastIndexOf('{"seq":')))![1]));
      });
      const fail = (why: string) => {
        if (ready) return;
        r.failed++;
        r.errors[why] = (r.errors[why] ?? 0) + 1;
        resolve();
      };
      ws.on('error', (err) => fail(err.message.slice(0, 80)));
      ws.on('close', (code) => fail(`closed ${code}`));
      ws.on('unexpected-response', () => fail('unexpected response'));
      (ws as unknown as { pump?: () => void }).pump = pump;
    });

  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(o.concurrency, o.agents) }, async () => {
      while (next < o.agents && performance.now() - t0 < o.connectDeadlineSeconds * 1000) await open(next++);
    }),
  );
  r.connectSeconds = Math.round((performance.now() - t0) / 100) / 10;
  onConnected?.(r.connected, r.connectSeconds);

  if (o.mode === 'ingest') {
    for (const ws of sockets) (ws as unknown as { pump: () => void }).pump();
    await Promise.race([ingestFinished, new Promise((res) => setTimeout(res, o.holdSeconds * 1000))]);
    r.ingestSeconds = Math.round((lastAck - firstSend) / 10) / 100;
    r.eventsPerSecond = r.ingestSeconds > 0 ? Math.round(r.eventsAcked / r.ingestSeconds) : 0;
  } else {
    await new Promise((res) => setTimeout(res, o.holdSeconds * 1000));
  }
  for (const t of timers) clearTimeout(t);
  for (const ws of sockets) ws.terminate();
  return r;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const opts = JSON.parse(process.argv[2]!) as SimOptions;
  const result = await simulate(opts, (n, s) => console.log(`CONNECTED ${n} ${s}`));
  console.log(`SIM_RESULT ${JSON.stringify(result)}`);
  process.exit(0);
}
