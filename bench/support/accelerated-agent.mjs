/**
 * Child process of bench/agent-memory.bench.ts: the COMPILED agent (dist/, no tsx loader in memory) on the embedded
 * default config (disk, memory, clock with their real probes), its schedule driven by a virtual clock.
 * No local web API, log to a file at level warn, state in the given directory.
 *
 * Protocol: prints `PHASE <json>` when settled after start-up, then after each of `periods` accelerated runs of
 * `hours`, and waits for SIGUSR2 each time (the parent reads /proc/<pid>/status meanwhile); exits after the last.
 * "Settled": idle for `settleMs` real time after a gc. V8 keeps the heap it grew for a burst of allocation (start-up,
 * or a day of checks in seconds) until its memory reducer runs after several idle seconds: 10 s covers that.
 * Usage: node --expose-gc bench/support/accelerated-agent.mjs <stateDir> [hours=24] [periods=2] [settleMs=10000]
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { flushHistoryOnVirtualTime, instrumentPlugins, NO_REAL_TIME_FLUSH_MS } from './accelerate.mjs';
import { VirtualClock, settle } from './virtual-clock.mjs';

const dist = new URL('../../dist/agent/', import.meta.url);
const { Agent } = await import(new URL('core/runtime/agent.js', dist).href);
const { createContext, loadOptions } = await import(new URL('cli/context.js', dist).href);
const { buildConfig, embeddedDefaultDocument } = await import(new URL('core/config/load.js', dist).href);
const { createLogger } = await import(new URL('core/logging/logger.js', dist).href);

const [stateDir, hoursArg = '24', periodsArg = '2', settleArg = '10000'] = process.argv.slice(2);
if (!stateDir) throw new Error('usage: accelerated-agent.mjs <stateDir> [hours] [periods] [settleMs]');
const hours = Number(hoursArg);
const periods = Number(periodsArg);
const settleMs = Number(settleArg);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const nextSignal = () => new Promise((resolve) => process.once('SIGUSR2', resolve));
// Keep the loop alive while waiting for the parent; the agent's own timers are unref'd.
const keepAlive = setInterval(() => {}, 1 << 30);

const clock = new VirtualClock(Date.now());
const ctx = createContext(process.env);
const { plugins, runs } = instrumentPlugins(ctx.plugins, clock);
const config = buildConfig(embeddedDefaultDocument(plugins, stateDir), 'embedded default (benchmark)', loadOptions({ ...ctx, plugins }));
config.web.enabled = false; // not started here anyway: the daemon measurement covers fastify
const logger = createLogger({ level: 'warn', file: join(stateDir, 'agent.log'), maxSizeMB: 10, maxFiles: 2, stdout: false });

const agent = await Agent.start({
  config,
  plugins,
  platform: ctx.platform,
  logger,
  version: 'bench',
  now: clock.date,
  timers: clock.timers,
  historyFlushMs: NO_REAL_TIME_FLUSH_MS, // flushed every HISTORY_FLUSH_MS (5 min) of virtual time instead, as the real agent would
});
const history = flushHistoryOnVirtualTime(agent, clock);
const busy = () => history.busy() || agent.scheduler.checkIds.some((id) => agent.scheduler.isRunning(id));

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
    seq: agent.store.data.seq,
    activeFaults: agent.engine.active().map((f) => `${f.code}@${f.subject}`),
    outboxDepth: agent.store.data.outbox.length,
    pendingTimers: clock.pending,
    files,
    writes: {
      state: agent.store.adapter.writes,
      stateBytes: agent.store.adapter.bytesWritten,
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

await agent.stop(1000);
clearInterval(keepAlive);
