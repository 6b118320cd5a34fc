/**
 * Child process of bench/agent-memory.bench.ts: the COMPILED agent (dist/, no tsx loader in memory) on the embedded
 * default config (disk, memory, clock with their real probes), its schedule driven by a virtual clock; log to a file
 * at level warn, state in the given directory. Options (JSON, 5th argument), as `guardpost run` would have them:
 * - `web`: the local page on 127.0.0.1 (port 0; prints `WEB <port>` so the parent can open it);
 * - `desk`: the agent's desk section (a certificate the reference desk issued): the tunnel connects before the
 *   start-up reading, and a bench source opens and resolves a fault every `faultEveryHours` (virtual), so the outbox,
 *   delivery and the desk's acks run all day.
 *
 * V8 runs with the service's settings (agent/core/runtime/service-tuning.ts), as under `guardpost run`.
 *
 * Protocol: prints `PHASE <json>` when settled after start-up, then after each of `periods` accelerated runs of
 * `hours`, and waits for SIGUSR2 each time (the parent reads /proc/<pid>/status meanwhile); exits after the last.
 * "Settled": idle for `settleMs` real time after a gc. V8 keeps the heap it grew for a burst of allocation (start-up,
 * or a day of checks in seconds) until its memory reducer runs after several idle seconds: 10 s covers that.
 * Usage: node --expose-gc bench/support/accelerated-agent.mjs <stateDir> [hours=24] [periods=2] [settleMs=10000] [options JSON]
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { getHeapSpaceStatistics } from 'node:v8';
import { VirtualClock, settle } from './virtual-clock.mjs';

const dist = new URL('../../dist/agent/', import.meta.url);
// As bin/guardpost.js does for `guardpost run`: the service's V8 settings before any of the agent's modules load.
const v8Flags = (await import(new URL('core/runtime/service-tuning.js', dist).href)).tuneForService();
const { flushHistoryOnVirtualTime, instrumentPlugins, NO_REAL_TIME_FLUSH_MS } = await import('./accelerate.mjs');
const { Agent } = await import(new URL('core/runtime/agent.js', dist).href);
const { contextFor, loadOptions } = await import(new URL('cli/context.js', dist).href);
const { buildConfig, embeddedDefaultDocument } = await import(new URL('core/config/load.js', dist).href);
const { createLogger } = await import(new URL('core/logging/logger.js', dist).href);

const [stateDir, hoursArg = '24', periodsArg = '2', settleArg = '10000', optionsArg = '{}'] = process.argv.slice(2);
if (!stateDir) throw new Error('usage: accelerated-agent.mjs <stateDir> [hours] [periods] [settleMs] [options JSON]');
const hours = Number(hoursArg);
const periods = Number(periodsArg);
const settleMs = Number(settleArg);
/** @type {{ web?: boolean; agentId?: string; desk?: Record<string, unknown>; faultEveryHours?: number }} */
const options = JSON.parse(optionsArg);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const nextSignal = () => new Promise((resolve) => process.once('SIGUSR2', resolve));
// Keep the loop alive while waiting for the parent; the agent's own timers are unref'd.
const keepAlive = setInterval(() => {}, 1 << 30);

const clock = new VirtualClock(Date.now());
const ctx = await contextFor({ defaults: true }, process.env); // as `guardpost run --defaults` loads them: only the checks it names
const { plugins, runs } = instrumentPlugins(ctx.plugins, clock);
const doc = {
  ...embeddedDefaultDocument(stateDir),
  ...(options.agentId ? { agent: { id: options.agentId } } : {}), // the id the desk's certificate names
  ...(options.desk ? { desk: options.desk } : {}),
};
const config = buildConfig(doc, 'embedded default (benchmark)', loadOptions({ ...ctx, plugins }));
(await import(new URL('core/config/config-ajv.js', dist).href)).releaseConfigValidators(); // as run-command.ts does
const logger = createLogger({ level: 'warn', file: join(stateDir, 'agent.log'), maxSizeMB: 10, maxFiles: 2, stdout: false });

// As run-command.ts does it: the tunnel's modules load only when a desk is configured. Its timers are real time.
const tunnel = options.desk
  ? new (await import(new URL('tunnel/tunnel.js', dist).href)).DeskTunnel({ config, version: 'bench', logger, env: {} })
  : undefined;
const FAULT_SOURCE = 'bench-faults';
const faultSource = { id: FAULT_SOURCE, raiseAfter: 1, clearAfter: 1, rules: (r) => (r.reason === 'broken' ? { code: 'BENCH_FAULT', severity: 'minor' } : null) };
const agent = await Agent.start({
  config,
  plugins,
  platform: ctx.platform,
  logger,
  version: 'bench',
  now: clock.date,
  timers: clock.timers,
  historyFlushMs: NO_REAL_TIME_FLUSH_MS, // flushed every HISTORY_FLUSH_MS (5 min) of virtual time instead, as the real agent would
  sources: [...(tunnel?.sources ?? []), ...(tunnel ? [faultSource] : [])],
});
const history = flushHistoryOnVirtualTime(agent, clock);
tunnel?.start(agent);

let api;
if (options.web) {
  const { startLocalApi, checkTitles } = await import(new URL('web/local-api.js', dist).href);
  const { ConsentBroker } = await import(new URL('web/consent-broker.js', dist).href);
  api = await startLocalApi({ host: '127.0.0.1', port: 0, agent, consent: new ConsentBroker(), checkTitles: checkTitles(config.checks), logger });
  process.stdout.write(`WEB ${api.port}\n`);
}

// A fault on one of 8 card-reader ports each period; the report of the next port resolves the previous one.
let reporting = 0;
let faultReports = 0;
if (tunnel && options.faultEveryHours) {
  const everyMs = options.faultEveryHours * 3600_000;
  const tick = () => {
    clock.timers.setTimeout(tick, everyMs);
    const subject = `COM${(faultReports++ % 8) + 1}`;
    const result = { status: 'fail', reason: 'broken', subject, message: { zh: `${subject} 故障`, en: `${subject} broken` }, evidence: {}, time: clock.date().toISOString(), durationMs: 0 };
    reporting++;
    void agent.report(FAULT_SOURCE, [result]).finally(() => reporting--);
  };
  clock.timers.setTimeout(tick, everyMs);
}
const busy = () => reporting > 0 || history.busy() || agent.scheduler.checkIds.some((id) => agent.scheduler.isRunning(id));

if (tunnel) {
  const deadline = performance.now() + 30_000;
  while (tunnel.status().state !== 'connected') {
    if (performance.now() > deadline) throw new Error(`desk not connected within 30 s: ${JSON.stringify(tunnel.status())}`);
    await sleep(20);
  }
}

async function phase(name, extra = {}) {
  await settle(busy);
  const rssBeforeSettleBytes = process.memoryUsage().rss;
  globalThis.gc?.();
  await sleep(settleMs);
  globalThis.gc?.();
  await sleep(200);
  const mem = process.memoryUsage();
  const files = {};
  for (const f of ['state.json', 'history.json', 'agent.log']) files[f] = (await stat(join(stateDir, f)).catch(() => null))?.size ?? null;
  const report = {
    name,
    virtualIso: new Date(clock.nowMs).toISOString(),
    probeRuns: Object.fromEntries(runs),
    intervals: Object.fromEntries(config.checks.map((c) => [c.type, c.intervalSeconds])),
    rssBeforeSettleBytes,
    heapUsedBytes: mem.heapUsed,
    heapTotalBytes: mem.heapTotal,
    externalBytes: mem.external,
    arrayBuffersBytes: mem.arrayBuffers,
    // Committed / used bytes per V8 space: where heapTotal − heapUsed sits (young generation, fragmentation).
    heapSpaces: Object.fromEntries(getHeapSpaceStatistics().filter((sp) => sp.space_size > 0).map((sp) => [sp.space_name, [sp.space_size, sp.space_used_size]])),
    seq: agent.store.lastSeq,
    activeFaults: agent.engine.active().map((f) => `${f.code}@${f.subject}`),
    outboxDepth: agent.store.pendingTransitions().length,
    pendingTimers: clock.pending,
    v8Flags,
    tunnel: tunnel ? tunnel.status() : null,
    faultReports,
    pageClients: api ? api.hub.size : null,
    files,
    writes: {
      state: agent.store.io().writes,
      stateBytes: agent.store.io().bytesWritten,
      history: agent.history.adapter.writes,
      historyBytes: agent.history.adapter.bytesWritten,
    },
    gc: typeof globalThis.gc === 'function',
    ...extra,
  };
  const go = nextSignal();
  process.stdout.write(`PHASE ${JSON.stringify(report)}\n`);
  await go;
}

await phase('startup');

for (let period = 1; period <= periods; period++) {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const { fired, forced } = await clock.advance(clock.nowMs + hours * 3600_000, { busy });
  const cpu = process.cpuUsage(cpu0);
  await phase(`after ${period * hours} h`, {
    virtualHours: period * hours,
    realSeconds: Math.round(performance.now() - t0) / 1000,
    cpuSeconds: Math.round((cpu.user + cpu.system) / 1000) / 1000,
    timersFired: fired,
    forcedAdvances: forced,
  });
}

await api?.close();
await tunnel?.stop();
await agent.stop(1000);
clearInterval(keepAlive);
