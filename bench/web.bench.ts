/**
 * The local health page's cost, against baselines measured in the same run:
 * 1. RSS added by the page server: the compiled agent (`bin/guardpost.js run`, dist/) with web disabled vs enabled,
 *    side by side, at 15 s; then the enabled one with 20 pages open after 2,000 API requests (VmRSS, median of 3).
 * 2. Throughput: GET /api/status (and /api/snapshot) vs a bare fastify hello route, each server in its own child
 *    process, loopback, keep-alive, 16 in flight, 3 interleaved rounds of 2,000 requests each (median).
 * 3. SSE fan-out: time from a change (a manual run) until the last of N open pages has the new state, N = 20 vs 1,
 *    and the spread between the first and the last page.
 * Figures only, never asserted. Run: node --import tsx bench/web.bench.ts   (last line BENCH_JSON)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { median, percentile, printBenchJson, procMemory, round, sleep, type SummaryRow } from './support/bench-util.js';
import { load, openPage, postRun } from './support/web-clients.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SITE = { fixmedins_code: 'P44010600123', fixmedins_name: '基准测试药房', mdtrtarea_admvs: '440106', terminalId: 'BENCH-01' };
/** Requests per round; three interleaved rounds per figure. */
const REQUESTS = 4000;
const WARMUP = 500;
const IN_FLIGHT = 16;
const PAGES = 20;
const ROUNDS = 30;

if (process.argv[2] === '--child') await child(process.argv[3]!);
else await main();

/* ---------- child processes: one server each, so the load generator does not share its event loop ---------- */

async function child(kind: string): Promise<void> {
  process.once('SIGTERM', () => process.exit(0)); // runs the 'exit' clean-up below
  if (kind === 'bare') {
    const { default: Fastify } = await import('fastify');
    const app = Fastify({ logger: false });
    app.get('/hello', { schema: { response: { 200: { type: 'object', properties: { hello: { type: 'string' } } } } } }, async () => ({ hello: 'world' }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    console.log(`READY ${(app.server.address() as { port: number }).port} -`);
    return;
  }
  const { builtinPlugins } = await import('../agent/checks/all.js');
  const { buildConfig } = await import('../agent/core/config/load.js');
  const { FaultCatalogue } = await import('../agent/core/faults/catalogue.js');
  const { createLogger } = await import('../agent/core/logging/index.js');
  const { Agent } = await import('../agent/core/runtime/agent.js');
  const { currentPlatform } = await import('../agent/platform/index.js');
  const { startLocalApi, checkTitles } = await import('../agent/web/local-api.js');
  const dir = mkdtempSync(join(tmpdir(), 'gp-bench-web-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  // A realistic page: every host check, one of them failing (no backup), so faults and history are not empty.
  const checks = { disk: {}, memory: {}, clock: {}, backup: { directory: dir, pattern: '*.bak', raiseAfter: 1, intervalSeconds: 3600 } };
  const platform = currentPlatform();
  const config = buildConfig({ site: SITE, checks, storage: { dir: join(dir, 'state') }, logging: { file: null } }, 'bench', {
    plugins: builtinPlugins,
    platform,
    faultCodes: new FaultCatalogue(builtinPlugins).codes(),
    env: {},
  });
  const logger = createLogger({ level: 'error', file: null, maxSizeMB: 1, maxFiles: 1, stdout: false });
  const agent = await Agent.start({ config, plugins: builtinPlugins, platform, logger, version: 'bench' });
  await agent.runNow();
  const api = await startLocalApi({ host: '127.0.0.1', port: 0, agent, checkTitles: checkTitles(config.checks) });
  console.log(`READY ${api.port} ${api.ctx.csrfToken}`);
}

interface Server {
  proc: ChildProcess;
  port: number;
  token: string;
}

async function startChild(kind: 'bare' | 'page'): Promise<Server> {
  const proc = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', kind], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  for await (const line of createInterface({ input: proc.stdout! })) {
    const m = /^READY (\d+) (\S+)$/.exec(line);
    if (m) return { proc, port: Number(m[1]), token: m[2]! };
  }
  throw new Error(`${kind} server did not start`);
}

function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    proc.once('exit', () => resolve());
    proc.kill('SIGTERM');
  });
}

/** Per round: ms from the POST to the last page having the new state, and first-to-last spread. */
async function fanOut(server: Server, pages: number): Promise<{ lastMs: number[]; spreadMs: number[]; bytesPerState: number }> {
  const open = Array.from({ length: pages }, () => openPage(server.port));
  await Promise.all(open.map((p) => p.ready));
  const lastMs: number[] = [];
  const spreadMs: number[] = [];
  const sum = (k: 'bytes' | 'events') => open.reduce((s, p) => s + p[k], 0);
  const bytes0 = sum('bytes');
  const events0 = sum('events');
  for (let i = 0; i < ROUNDS; i++) {
    await sleep(150); // the previous run has finished and been broadcast
    const t0 = performance.now();
    const startedAt = await postRun(server.port, server.token);
    const times = await Promise.all(open.map((p) => p.waitForRun(startedAt)));
    lastMs.push(Math.max(...times) - t0);
    spreadMs.push(Math.max(...times) - Math.min(...times));
  }
  await sleep(150);
  const bytesPerState = Math.round((sum('bytes') - bytes0) / (sum('events') - events0));
  for (const p of open) p.close();
  return { lastMs, spreadMs, bytesPerState };
}

/* ---------- RSS of the compiled daemon ---------- */

function ensureBuilt(): void {
  const built = join(ROOT, 'dist/agent/web/local-api.js');
  const builtAt = (() => {
    try {
      return statSync(built).mtimeMs;
    } catch {
      return 0;
    }
  })();
  const sources = readdirSync(join(ROOT, 'agent'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  if (builtAt >= Math.max(...sources.map((f) => statSync(join(ROOT, 'agent', f)).mtimeMs))) return;
  console.log('dist/ missing or older than agent/: npm run build');
  const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
  if (r.status !== 0) throw new Error(`npm run build failed (exit ${r.status}); the RSS figures measure the compiled agent`);
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function rssReadings(pid: number): Promise<number> {
  const kb: number[] = [];
  for (let i = 0; i < 3; i++) {
    kb.push(procMemory(pid).rssKB);
    await sleep(1000);
  }
  return median(kb) / 1024;
}

/** Starts the compiled daemon (dist/) on the host checks, with or without its page, on a free port. */
async function startDaemon(web: boolean): Promise<{ proc: ChildProcess; port: number; cleanup: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'gp-bench-web-rss-'));
  const port = await freePort();
  const config = join(dir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({ site: SITE, checks: { disk: {}, memory: {}, clock: {} }, web: { enabled: web, port }, logging: { file: join(dir, 'agent.log'), level: 'warn', stdout: false }, storage: { dir: join(dir, 'state') } }),
  );
  const env = { ...process.env };
  delete env.INVOCATION_ID;
  const proc = spawn(process.execPath, [join(ROOT, 'bin/guardpost.js'), 'run', '--config', config], { env, stdio: 'ignore' });
  return {
    proc,
    port,
    cleanup: async () => {
      await stop(proc);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Both daemons run side by side (same machine state, same moment), read after 15 s when V8 has given back its
 * start-up heap; then the one with the page serves 2,000 API calls and holds 20 open pages, and is read again.
 */
async function daemonRss(): Promise<{ withoutMB: number; idleMB: number; busyMB: number }> {
  const [off, on] = await Promise.all([startDaemon(false), startDaemon(true)]);
  try {
    await sleep(15_000);
    for (const d of [off, on]) if (d.proc.exitCode !== null) throw new Error(`daemon exited early (${d.proc.exitCode})`);
    const [withoutMB, idleMB] = await Promise.all([rssReadings(off.proc.pid!), rssReadings(on.proc.pid!)]);
    await load(on.port, '/', 1, 1);
    await load(on.port, '/api/status', 1000, 4);
    await load(on.port, '/api/snapshot', 1000, 4);
    const pages = Array.from({ length: PAGES }, () => openPage(on.port));
    await Promise.all(pages.map((p) => p.ready));
    await sleep(3000);
    const busyMB = await rssReadings(on.proc.pid!);
    for (const p of pages) p.close();
    return { withoutMB, idleMB, busyMB };
  } finally {
    await Promise.all([off.cleanup(), on.cleanup()]);
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  ensureBuilt();
  const rss = await daemonRss();

  const bare = await startChild('bare');
  const page = await startChild('page');
  let rps: { hello: number; status: number; snapshot: number };
  let fan1: Awaited<ReturnType<typeof fanOut>>;
  let fanN: Awaited<ReturnType<typeof fanOut>>;
  try {
    await load(bare.port, '/hello', WARMUP, IN_FLIGHT);
    await load(page.port, '/api/status', WARMUP, IN_FLIGHT);
    await load(page.port, '/api/snapshot', WARMUP, IN_FLIGHT);
    // Interleaved rounds, median of each: other work on this shared machine hits all three alike.
    const rounds: Record<'hello' | 'status' | 'snapshot', number[]> = { hello: [], status: [], snapshot: [] };
    for (let i = 0; i < 3; i++) {
      rounds.hello.push(await load(bare.port, '/hello', REQUESTS / 2, IN_FLIGHT));
      rounds.status.push(await load(page.port, '/api/status', REQUESTS / 2, IN_FLIGHT));
      rounds.snapshot.push(await load(page.port, '/api/snapshot', REQUESTS / 2, IN_FLIGHT));
    }
    rps = { hello: median(rounds.hello), status: median(rounds.status), snapshot: median(rounds.snapshot) };
    fan1 = await fanOut(page, 1);
    fanN = await fanOut(page, PAGES);
  } finally {
    await stop(bare.proc);
    await stop(page.proc);
  }

  const addedIdle = round(rss.idleMB - rss.withoutMB, 1);
  const addedBusy = round(rss.busyMB - rss.withoutMB, 1);
  console.log(`Guardpost local page, node ${process.version}; loopback; ${IN_FLIGHT} requests in flight; median of 3 interleaved rounds of ${REQUESTS / 2} requests`);
  console.table([
    { what: 'daemon RSS at 15 s, web disabled', value: round(rss.withoutMB, 1), unit: 'MB' },
    { what: 'daemon RSS at 15 s, web enabled, idle', value: round(rss.idleMB, 1), unit: 'MB' },
    { what: `daemon RSS, web enabled, ${PAGES} pages open after 2000 API calls`, value: round(rss.busyMB, 1), unit: 'MB' },
    { what: 'bare fastify GET /hello', value: rps.hello, unit: 'req/s' },
    { what: 'GET /api/status', value: rps.status, unit: 'req/s' },
    { what: 'GET /api/snapshot (the whole page state)', value: rps.snapshot, unit: 'req/s' },
    { what: 'change → 1 page has it, p50', value: round(median(fan1.lastMs), 1), unit: 'ms' },
    { what: `change → all ${PAGES} pages have it, p50`, value: round(median(fanN.lastMs), 1), unit: 'ms' },
    { what: `change → all ${PAGES} pages have it, p95`, value: round(percentile(fanN.lastMs, 95), 1), unit: 'ms' },
    { what: `first → last of ${PAGES} pages, p50`, value: round(median(fanN.spreadMs), 2), unit: 'ms' },
    { what: 'bytes per state event', value: fanN.bytesPerState, unit: 'B' },
  ]);
  console.log('A change is broadcast after a 50 ms debounce (changes within it share one event); that is in both fan-out figures.');
  console.log(`elapsed ${round((performance.now() - started) / 1000, 1)} s`);

  const summary: SummaryRow[] = [
    { figure: 'RSS added by the page server (idle)', value: addedIdle, unit: 'MB', baseline: round(rss.withoutMB, 1), ratio: round(rss.idleMB / rss.withoutMB) },
    { figure: `RSS added by the page server (${PAGES} pages open)`, value: addedBusy, unit: 'MB', baseline: round(rss.withoutMB, 1), ratio: round(rss.busyMB / rss.withoutMB) },
    { figure: 'GET /api/status throughput', value: rps.status, unit: 'req/s', baseline: rps.hello, ratio: round(rps.status / rps.hello) },
    { figure: 'GET /api/snapshot throughput', value: rps.snapshot, unit: 'req/s', baseline: rps.hello, ratio: round(rps.snapshot / rps.hello) },
    { figure: `SSE change → all ${PAGES} pages, p50`, value: round(median(fanN.lastMs), 1), unit: 'ms', baseline: round(median(fan1.lastMs), 1), ratio: round(median(fanN.lastMs) / median(fan1.lastMs)) },
    { figure: `SSE first → last of ${PAGES} pages, p50`, value: round(median(fanN.spreadMs), 2), unit: 'ms' },
  ];
  printBenchJson({
    bench: 'web',
    rss: { withoutWebMB: round(rss.withoutMB, 1), withWebIdleMB: round(rss.idleMB, 1), withWebBusyMB: round(rss.busyMB, 1), addedIdleMB: addedIdle, addedBusyMB: addedBusy },
    rps,
    fanOut: {
      pages: PAGES,
      rounds: ROUNDS,
      onePageP50Ms: round(median(fan1.lastMs), 1),
      allPagesP50Ms: round(median(fanN.lastMs), 1),
      allPagesP95Ms: round(percentile(fanN.lastMs, 95), 1),
      spreadP50Ms: round(median(fanN.spreadMs), 2),
      bytesPerState: fanN.bytesPerState,
    },
    summary,
  });
}
