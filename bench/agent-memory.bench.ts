/**
 * Agent memory: VmRSS (and VmHWM) of separate child processes, read from /proc/<pid>/status.
 * - baseline: `node -e "setInterval(()=>{},1000)"`, read after 5 s;
 * - the compiled agent (dist/) on the embedded default config, schedule accelerated by a virtual clock
 *   (bench/support/accelerated-agent.mjs), as a till runs it: the local page on (fastify on 127.0.0.1, opened by one
 *   browser-like client that loads the page and keeps its live stream), and the desk tunnel connected on loopback to
 *   the reference desk (`guardpost desk init|issue` code, the desk in its own process), with a fault opened and
 *   resolved every virtual hour so delivery and acks run all day. Read settled (10 s idle, gc) after start-up, after
 *   24 h and after 48 h of check cycles: the 48 h reading tells bounded buffers filling up (24 h → 48 h flat) from a leak;
 * - the real-time daemon `guardpost run --defaults` (incl. the page on 127.0.0.1:8620), read after 5 s and 15 s.
 * Target: agent with page and desk ≤ 1.5× baseline after 24 h, no growth 24 h → 48 h. Printed, never asserted.
 * Run: node --import tsx bench/agent-memory.bench.ts   (builds dist/ first if missing or stale; last line BENCH_JSON)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { initDesk, issueAgent } from '../desk/init.js';
import { printBenchJson, procMemory, round, sleep, type SummaryRow } from './support/bench-util.js';
import { openPage } from './support/web-clients.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const HOURS = 24;
const TARGET_RATIO = 1.5;
/** An idle process's RSS wobbles by a few hundred kB between readings; more than this counts as growth. */
const GROWTH_TOLERANCE_MB = 1;
const READ_AFTER_MS = 5000;
const DAEMON_SETTLED_MS = 15_000;
const PORT = 8620;
/** A fault opens (and the previous one resolves) every this many virtual hours: 48 transitions a day to deliver. */
const FAULT_EVERY_HOURS = 1;
const AGENT_ID = 'H00000000000-BENCH-MEM';

const mb = (kB: number): number => round(kB / 1024, 1);

/** Newest mtime of agent/ sources (tests excluded) and of the compiled entry the children load. */
function buildState(): { builtAt: number; newest: number } {
  const built = join(ROOT, 'dist/agent/core/runtime/agent.js');
  const builtAt = existsSync(built) ? statSync(built).mtimeMs : 0;
  const sources = readdirSync(join(ROOT, 'agent'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  return { builtAt, newest: Math.max(...sources.map((f) => statSync(join(ROOT, 'agent', f)).mtimeMs)) };
}

/** dist/ must exist and be newer than the sources; else build it (npm run bench has just done so). */
function ensureBuilt(): void {
  const before = buildState();
  if (before.builtAt >= before.newest) return;
  console.log(before.builtAt ? 'dist/ is older than agent/ sources: npm run build' : 'no dist/: npm run build');
  const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
  const after = buildState();
  // tsc emits despite type errors: measure what it emitted, but say so.
  if (after.builtAt < after.newest) throw new Error(`npm run build failed (exit ${r.status}) and dist/ is still stale`);
  if (r.status !== 0) console.log(`warning: npm run build reported errors (exit ${r.status}); measuring the JavaScript it emitted`);
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

type Mem = ReturnType<typeof procMemory>;

async function measureBaseline(): Promise<Mem> {
  const child = spawn(process.execPath, ['-e', 'setInterval(()=>{},1000)'], { stdio: 'ignore' });
  await sleep(READ_AFTER_MS);
  const mem = procMemory(child.pid!);
  child.kill('SIGTERM');
  await exited(child);
  return mem;
}

interface Phase extends Mem {
  report: Record<string, any>;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function firstLine(child: ChildProcess, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (b: Buffer) => {
      buf += b.toString();
      const m = pattern.exec(buf);
      if (!m) return;
      child.stdout!.off('data', onData);
      resolve(m);
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`desk process exited (${code}) before printing ${pattern}`)));
  });
}

interface BenchDesk {
  dir: string;
  /** The agent's desk section, as `guardpost desk issue` prints it, on the desk's loopback port. */
  section: Record<string, unknown>;
  child: ChildProcess;
  stats(): Promise<{ transactions: number; ops: number; sessions: number }>;
  stop(): Promise<void>;
}

/** The reference desk in its own process (its memory is not the agent's), with a certificate issued for the agent. */
async function startDesk(): Promise<BenchDesk> {
  const dir = mkdtempSync(join(tmpdir(), 'guardpost-bench-mem-desk-'));
  const port = await freePort();
  await initDesk({ dir, names: ['localhost'], agentsPort: port, apiPort: 0, agentsHost: '127.0.0.1' });
  const file = join(dir, 'desk.json');
  writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), log: { file: 'desk.log', level: 'warn', stdout: false } }, null, 2));
  const issued = await issueAgent(dir, AGENT_ID, join(dir, 'agents', AGENT_ID));
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/tools/desk-process.ts'), dir], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  await firstLine(child, /READY (\d+)/);
  return {
    dir,
    section: { ...issued, url: `wss://127.0.0.1:${port}/agent` },
    child,
    stats: async () => {
      const m = firstLine(child, /STATS (\{.*\})\n/);
      child.stdin!.write('stats\n');
      return JSON.parse((await m)[1]!) as { transactions: number; ops: number; sessions: number };
    },
    stop: async () => {
      child.kill('SIGTERM');
      await exited(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function getText(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, headers: { host: `127.0.0.1:${port}` } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => (res.statusCode === 200 ? resolve(text) : reject(new Error(`${path}: HTTP ${res.statusCode}`))));
    }).on('error', reject);
  });
}

/** What a browser does on opening the page: the HTML, every static file it (or a script) names, then the live stream. */
async function openBrowserPage(port: number): Promise<{ files: number; bytes: number; page: ReturnType<typeof openPage> }> {
  const seen = new Set<string>();
  const queue = ['/'];
  let bytes = 0;
  while (queue.length) {
    const path = queue.shift()!;
    if (seen.has(path)) continue;
    seen.add(path);
    const body = await getText(port, path);
    bytes += Buffer.byteLength(body);
    for (const m of body.matchAll(/(?:\/static\/|\.\/)([a-z0-9-]+\.(?:js|css|svg))\b/g)) queue.push(`/static/${m[1]}`);
  }
  const page = openPage(port);
  await page.ready;
  return { files: seen.size, bytes, page };
}

interface Accelerated {
  phases: Phase[];
  pageFiles: number;
  pageBytes: number;
  pageEvents: number;
  desk: { transactions: number; ops: number; sessions: number };
}

/** Runs the accelerated agent; reads /proc at each PHASE line while the child waits for SIGUSR2. */
async function measureAccelerated(desk: BenchDesk): Promise<Accelerated> {
  const stateDir = mkdtempSync(join(tmpdir(), 'guardpost-bench-mem-'));
  const options = { web: true, agentId: AGENT_ID, desk: desk.section, faultEveryHours: FAULT_EVERY_HOURS };
  const child = spawn(
    process.execPath,
    ['--expose-gc', join(ROOT, 'bench/support/accelerated-agent.mjs'), stateDir, String(HOURS), '2', '10000', JSON.stringify(options)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const phases: Phase[] = [];
  let browser: Awaited<ReturnType<typeof openBrowserPage>> | undefined;
  let deskStats: Accelerated['desk'] | undefined;
  const killer = setTimeout(() => child.kill('SIGKILL'), 240_000);
  try {
    for await (const line of createInterface({ input: child.stdout! })) {
      // The child settles for 10 s before its first reading: the page is open by then.
      if (line.startsWith('WEB ')) browser = await openBrowserPage(Number(line.slice(4)));
      if (!line.startsWith('PHASE ')) continue;
      const mem = procMemory(child.pid!);
      deskStats = await desk.stats();
      phases.push({ report: JSON.parse(line.slice(6)) as Record<string, any>, ...mem });
      child.kill('SIGUSR2');
    }
    const code = await exited(child);
    if (code !== 0 || phases.length !== 3) throw new Error(`accelerated agent exited with ${code} after ${phases.length} of 3 phases`);
    if (!browser) throw new Error('the accelerated agent never printed its page port');
    browser.page.close();
    return { phases, pageFiles: browser.files, pageBytes: browser.bytes, pageEvents: browser.page.events, desk: deskStats! };
  } finally {
    clearTimeout(killer);
    browser?.page.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

interface DaemonReading {
  at5s: Mem;
  at15s: Mem;
  pageUp: boolean;
  portWasFree: boolean;
  stopMs: number;
  exitCode: number | null;
}

async function measureDaemon(): Promise<DaemonReading> {
  const portWasFree = await portFree(PORT);
  const stateDir = mkdtempSync(join(tmpdir(), 'guardpost-bench-daemon-'));
  const env: NodeJS.ProcessEnv = { ...process.env, GUARDPOST_STATE_DIR: stateDir };
  delete env.INVOCATION_ID; // no stdout logging: the same file-only logging as a service would have without journald
  const child = spawn(process.execPath, [join(ROOT, 'bin/guardpost.js'), 'run', '--defaults', '--state-dir', stateDir], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  try {
    await sleep(READ_AFTER_MS);
    if (child.exitCode !== null) throw new Error(`daemon exited early (${child.exitCode}): ${out.trim()}`);
    const at5s = procMemory(child.pid!);
    await sleep(DAEMON_SETTLED_MS - READ_AFTER_MS);
    const at15s = procMemory(child.pid!);
    const t0 = performance.now();
    child.kill('SIGTERM');
    const exitCode = await exited(child);
    return { at5s, at15s, pageUp: /local page:/.test(out), portWasFree, stopMs: Math.round(performance.now() - t0), exitCode };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(stateDir, { recursive: true, force: true });
  }
}

ensureBuilt();
const started = performance.now();
const base = await measureBaseline();
const desk = await startDesk();
let acc: Accelerated;
try {
  acc = await measureAccelerated(desk);
} finally {
  await desk.stop();
}
const [start, after, after2] = acc.phases as [Phase, Phase, Phase];
const daemon = await measureDaemon();

const ratio = (kB: number): number => round(kB / base.rssKB);
const within = (kB: number): boolean => kB <= TARGET_RATIO * base.rssKB; // on the exact figures, not the rounded ratio
const growthMB = mb(after.rssKB - start.rssKB);
const grew = after.rssKB - start.rssKB > GROWTH_TOLERANCE_MB * 1024;
const secondGrowthMB = mb(after2.rssKB - after.rssKB);
const grewAgain = after2.rssKB - after.rssKB > GROWTH_TOLERANCE_MB * 1024;
const heapMB = (p: Phase, key: string): number => round(p.report[key] / 1048576, 1);
const verdict = (ok: boolean): 'PASS' | 'MISS' => (ok ? 'PASS' : 'MISS');
const row = (what: string, m: Mem, p?: Phase) => ({
  process: what,
  'VmRSS MB': mb(m.rssKB),
  '× baseline': ratio(m.rssKB),
  'VmHWM MB': mb(m.hwmKB),
  'RssAnon MB': mb(m.anonKB),
  'RssFile MB': mb(m.fileKB),
  'heap used/total MB': p ? `${heapMB(p, 'heapUsedBytes')} / ${heapMB(p, 'heapTotalBytes')}` : '',
  'external MB': p ? heapMB(p, 'externalBytes') : '',
  'RSS before settling MB': p && p.report.name !== 'startup' ? heapMB(p, 'rssBeforeSettleBytes') : '',
});

console.log(`Guardpost agent memory, node ${process.version}; VmRSS/VmHWM from /proc/<pid>/status; agent = compiled dist/, schedule accelerated`);
console.log('agent = the local page on (one open page: HTML, static files, live stream) and the desk tunnel connected to the reference desk');
console.log(`agent and daemon V8 settings, as \`guardpost run\` sets them: ${(start.report.v8Flags as string[]).join(' ') || 'V8 defaults'}`);
console.table([
  row('baseline: node -e setInterval, at 5 s', base),
  row('agent after start-up (settled)', start, start),
  row(`agent after ${HOURS} h of cycles (settled)`, after, after),
  row(`agent after ${2 * HOURS} h of cycles (settled)`, after2, after2),
  row('daemon: guardpost run --defaults, at 5 s', daemon.at5s),
  row('daemon: guardpost run --defaults, at 15 s', daemon.at15s),
]);

const runsOf = (p: Phase): Record<string, number> => p.report.probeRuns as Record<string, number>;
const intervals = start.report.intervals as Record<string, number>; // as configured in the child
const runRows = Object.keys(runsOf(after)).map((type) => ({
  check: type,
  'interval s': intervals[type] ?? '?',
  [`runs in first ${HOURS} h`]: runsOf(after)[type]! - (runsOf(start)[type] ?? 0),
  [`runs in second ${HOURS} h`]: runsOf(after2)[type]! - runsOf(after)[type]!,
  expected: intervals[type] ? Math.round((HOURS * 3600) / intervals[type]!) : '?',
}));
console.log(`probe runs per ${HOURS} h window (expected ≈ ${HOURS * 3600} / interval; the start-up sweep is not counted):`);
console.table(runRows);
for (const [prev, p] of [[start, after], [after, after2]] as const) {
  const r = p.report;
  const w = (k: string): number => r.writes[k] - prev.report.writes[k];
  console.log(
    `${r.name}: ${r.timersFired} timers fired in ${r.realSeconds} s real (${r.cpuSeconds} s CPU), ${r.forcedAdvances} forced advances; ` +
      `fault transitions so far ${r.seq}, desk acked up to ${r.tunnel?.ackedSeq ?? '-'} (${r.tunnel?.state}), outbox ${r.outboxDepth}; ` +
      `active faults: ${(r.activeFaults as string[]).join(', ') || 'none'}; ` +
      `writes in this window: state.json ${w('state')} (${round(w('stateBytes') / 1048576, 1)} MB), ` +
      `history.json ${w('history')} (${round(w('historyBytes') / 1048576, 1)} MB, one per HISTORY_FLUSH_MS (5 min) of virtual time when changed)`,
  );
}
console.log(
  `page: ${acc.pageFiles} files (${round(acc.pageBytes / 1024, 0)} kB) loaded, ${acc.pageEvents} live events received; ` +
    `desk at the ${2 * HOURS} h reading: ${acc.desk.sessions} agent session(s), ${acc.desk.ops} store operations in ${acc.desk.transactions} transactions`,
);
console.log('settled = 10 s idle with gc before and after; "RSS before settling" is right after the accelerated run (V8 keeps the heap');
console.log('it grew for the burst until its memory reducer runs), so it overstates what a real-time agent holds.');
if (!daemon.portWasFree) console.log(`note: port ${PORT} was already taken, so the daemon ran without its local page listening`);
console.log(`daemon: local page ${daemon.pageUp ? 'listening' : 'NOT listening'} on 127.0.0.1:${PORT}; exited ${daemon.exitCode} ${daemon.stopMs} ms after SIGTERM`);

const target = `≤ ${TARGET_RATIO}×`;
const noise = `≤ ${GROWTH_TOLERANCE_MB} MB (noise)`;
const summary: SummaryRow[] = [
  { figure: 'agent (page + desk) RSS after start-up', value: mb(start.rssKB), unit: 'MB', baseline: mb(base.rssKB), ratio: ratio(start.rssKB), target, verdict: verdict(within(start.rssKB)) },
  { figure: `agent (page + desk) RSS after ${HOURS} h accelerated`, value: mb(after.rssKB), unit: 'MB', baseline: mb(base.rssKB), ratio: ratio(after.rssKB), target, verdict: verdict(within(after.rssKB)) },
  { figure: `agent (page + desk) RSS after ${2 * HOURS} h accelerated`, value: mb(after2.rssKB), unit: 'MB', baseline: mb(base.rssKB), ratio: ratio(after2.rssKB), target, verdict: verdict(within(after2.rssKB)) },
  { figure: `agent RSS growth start-up → ${HOURS} h`, value: growthMB, unit: 'MB', target: noise, verdict: verdict(!grew) },
  { figure: `agent RSS growth ${HOURS} h → ${2 * HOURS} h`, value: secondGrowthMB, unit: 'MB', target: noise, verdict: verdict(!grewAgain) },
  { figure: `agent JS heap used growth start-up → ${2 * HOURS} h`, value: round(heapMB(after2, 'heapUsedBytes') - heapMB(start, 'heapUsedBytes'), 1), unit: 'MB' },
  { figure: 'daemon RSS at 5 s (incl. fastify page)', value: mb(daemon.at5s.rssKB), unit: 'MB', baseline: mb(base.rssKB), ratio: ratio(daemon.at5s.rssKB) },
  { figure: 'daemon RSS at 15 s', value: mb(daemon.at15s.rssKB), unit: 'MB', baseline: mb(base.rssKB), ratio: ratio(daemon.at15s.rssKB), target, verdict: verdict(within(daemon.at15s.rssKB)) },
];
for (const r of summary.filter((s) => s.verdict)) {
  console.log(`${r.verdict}  ${r.figure}: ${r.value} ${r.unit}${r.ratio !== undefined ? ` = ${r.ratio}× baseline` : ''} (target ${r.target})`);
}
console.log(`elapsed ${round((performance.now() - started) / 1000, 1)} s`);

const phaseJson = (p: Phase) => ({
  rssMB: mb(p.rssKB),
  ratio: ratio(p.rssKB),
  hwmMB: mb(p.hwmKB),
  anonMB: mb(p.anonKB),
  fileMB: mb(p.fileKB),
  heapUsedMB: heapMB(p, 'heapUsedBytes'),
  heapTotalMB: heapMB(p, 'heapTotalBytes'),
  externalMB: heapMB(p, 'externalBytes'),
  arrayBuffersMB: heapMB(p, 'arrayBuffersBytes'),
});
printBenchJson({
  bench: 'agent-memory',
  hours: HOURS,
  baseline: { rssMB: mb(base.rssKB), hwmMB: mb(base.hwmKB), anonMB: mb(base.anonKB), fileMB: mb(base.fileKB) },
  agent: {
    page: true,
    desk: true,
    v8Flags: start.report.v8Flags,
    startup: phaseJson(start),
    after: phaseJson(after),
    after2: phaseJson(after2),
    ratioAfter: ratio(after.rssKB),
    ratioAfter2: ratio(after2.rssKB),
    growthMB,
    secondGrowthMB,
    probeRuns: Object.fromEntries(runRows.map((r) => [r.check, r[`runs in first ${HOURS} h`]])),
    transitions: after2.report.seq,
    deskAckedSeq: after2.report.tunnel?.ackedSeq ?? null,
    deskSessions: acc.desk.sessions,
    pageEvents: acc.pageEvents,
  },
  daemon: { at5sMB: mb(daemon.at5s.rssKB), at15sMB: mb(daemon.at15s.rssKB), ratioAt15s: ratio(daemon.at15s.rssKB), hwmMB: mb(daemon.at15s.hwmKB), pageUp: daemon.pageUp, portWasFree: daemon.portWasFree, stopMs: daemon.stopMs },
  summary,
});
