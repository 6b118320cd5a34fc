/**
 * Remote assistance (issue 13, "Benchmarks"): a real desk, a real agent and a real engineer client, all on loopback,
 * every baseline measured in the same run.
 * - desk: the reference desk (agents' endpoint over mutual TLS + engineer API) in its own process
 *   (bench/support/assist-desk-process.ts, which also timestamps every fault transition its store commits);
 * - agent: the compiled agent as it is installed, `node bin/guardpost.js run --config FILE` (dist/, the service's V8
 *   flags), in its own process so its VmRSS is its own; assist enabled, forward allowed to one loopback target, a
 *   shell as `nobody` running /bin/sh, maintenance windows covering every minute (requests approved with no operator),
 *   the session bandwidth cap raised to its maximum (1 GiB/s; the default 1 MiB/s would be the figure otherwise);
 *   8 logs checks (every 1 s) on temp log files the bench writes error lines to, to make fault transitions;
 * - engineer: `node bin/guardpost.js desk-cli forward AGENT TARGET --listen 127.0.0.1:0 --session ID`, the real
 *   engineer tool (its own process; engineer WebSocket to the desk), plus the bench's own AssistClient for the shell;
 * - target: bench/support/assist-target-process.ts (GET n / PUT n / ECHO), its own process;
 * - measuring client: bench/support/assist-net.ts, the same code for direct, socat and forward.
 * Figures:
 * 1. forward throughput both ways (client ↔ desk-cli ↔ desk ↔ agent ↔ target) vs a socat relay
 *    (socat TCP-LISTEN:P,fork TCP:127.0.0.1:T) carrying the same bytes for the same client: target ≥ 50 % of socat;
 * 2. added round-trip time of 64-byte messages through the forward vs direct to the echo: target ≤ 1 ms p50;
 * 3. fault → desk latency (the agent engine's transition time to the desk's commit) while a forward is saturated vs
 *    idle: target p99 saturated ≤ 2× p99 idle;
 * 4. agent VmRSS with one shell and one forward open vs idle (reported), and sampled over a saturated forward
 *    (60 s; GUARDPOST_BENCH_LONG=1: 10 min): growth first → last sample, target: none beyond noise.
 * Printed, never asserted. Run: node --import tsx bench/assist.bench.ts   (last line: BENCH_JSON {...})
 * Needs socat (scripts/setup-system.sh installs it); builds dist/ first if it is missing or stale.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { inputFrame } from '../agent/assist/kinds/shell/frames.js';
import type { Channel } from '../agent/tunnel/channels/channel.js';
import { DeskApiClient } from '../desk/client/api-client.js';
import { AssistClient, type AttachedSession } from '../desk/client/assist-client.js';
import { initDesk, issueAgent } from '../desk/init.js';
import type { AgentRow } from '../desk/store/types.js';
import { connectReady, download, openEcho, pingPong, saturate, upload, type Transfer } from './support/assist-net.js';
import { percentile, printBenchJson, procMemory, round, sleep, type SummaryRow } from './support/bench-util.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LONG = process.env.GUARDPOST_BENCH_LONG === '1';
const TRANSFER_BYTES = Number(process.env.GUARDPOST_BENCH_ASSIST_MB ?? 200) * 1e6;
const PINGS = 1500;
/** Extra short forward downloads, to see whether their ends arrive. */
const END_CHECKS = 6;
const PING_WARMUP = 200;
const PING_SIZE = 64;
const IDLE_FAULT_MS = 20_000;
const SATURATED_MS = LONG ? 600_000 : 60_000;
/** Saturation runs this long before faults are raised and RSS is sampled (the pipeline fills, buffers reach size). */
const SATURATION_WARMUP_MS = 10_000;
const RSS_EVERY_MS = 2000;
const FLAG_CHECKS = 8;
const FLIP_EVERY_MS = 1000;
/** LOG_ERRORS is major from this many error lines in one scan. */
const MAJOR_LINES = 20;
/** An agent's RSS wobbles with its heap between GCs; more than this first → last sample counts as growth. */
const GROWTH_TOLERANCE_MB = 1;
const AGENT_ID = 'P44010600123-BENCH-ASSIST';
const ENGINEER = 'bench-engineer';
const SITE = { fixmedins_code: 'P44010600123', fixmedins_name: 'bench', mdtrtarea_admvs: '440106', terminalId: 'BENCH-ASSIST' };
const WEEK = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const BIN = join(ROOT, 'bin/guardpost.js');

const started = performance.now();
const elapsed = (): string => `[${Math.round((performance.now() - started) / 1000)} s]`;
const mb = (kB: number): number => round(kB / 1024, 1);
const verdict = (ok: boolean): 'PASS' | 'MISS' => (ok ? 'PASS' : 'MISS');

// --- build, processes ---------------------------------------------------------------------------------------------

/** Newest mtime of the sources the compiled agent and desk-cli are built from, and of the compiled entry. */
function buildState(): { builtAt: number; newest: number } {
  const built = join(ROOT, 'dist/agent/cli/main.js');
  const builtAt = existsSync(built) ? statSync(built).mtimeMs : 0;
  let newest = 0;
  for (const dir of ['agent', 'desk']) {
    for (const f of readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })) {
      if (f.endsWith('.ts') && !f.endsWith('.test.ts')) newest = Math.max(newest, statSync(join(ROOT, dir, f)).mtimeMs);
    }
  }
  return { builtAt, newest };
}

/** dist/ must exist and be newer than the sources; else build it (npm run bench has just done so). */
function ensureBuilt(): void {
  const before = buildState();
  if (before.builtAt >= before.newest) return;
  console.log(before.builtAt ? 'dist/ is older than the agent/ or desk/ sources: npm run build' : 'no dist/: npm run build');
  const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
  if (!existsSync(join(ROOT, 'dist/agent/cli/main.js'))) throw new Error(`npm run build failed (exit ${r.status}) and there is no dist/`);
  if (r.status !== 0) console.log(`warning: npm run build reported errors (exit ${r.status}); measuring the JavaScript it emitted`);
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

interface Proc {
  child: ChildProcess;
  name: string;
  /** The first stdout line matching, waiting at most `timeoutMs`. */
  line(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Every stdout line from now on. */
  onLine(fn: (line: string) => void): void;
  /** What it wrote to stderr (kept for the error message should it fail). */
  stderr(): string;
  stop(): Promise<void>;
}

const procs: Proc[] = [];
// Should the bench fail half-way, the processes it started go with it.
process.on('exit', (code) => {
  if (code !== 0) {
    // What the processes said, for the diagnosis.
    for (const p of procs) if (p.stderr().trim()) console.error(`--- ${p.name} stderr (tail):\n${p.stderr().trim().slice(-1500)}`);
    try {
      for (const log of [join(agentDir, 'agent.log'), join(deskDir, 'desk.log')]) {
        if (existsSync(log)) console.error(`--- ${log} (tail):\n${readFileSync(log, 'utf8').trim().slice(-3000)}`);
      }
    } catch {
      // failed before the directories existed
    }
  }
  procs.forEach((p) => p.child.exitCode === null && p.child.signalCode === null && p.child.kill('SIGKILL'));
  try {
    rmSync(work, { recursive: true, force: true });
  } catch {
    // failed before it existed
  }
});

function proc(name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Proc {
  const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (b: Buffer) => void (err = (err + b.toString()).slice(-4000)));
  const listeners: ((line: string) => void)[] = [];
  const seen: string[] = []; // lines printed before anyone waited for them
  createInterface({ input: child.stdout! }).on('line', (l) => {
    if (seen.length < 100) seen.push(l);
    [...listeners].forEach((f) => f(l));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const p: Proc = {
    child,
    name,
    line: (pattern, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const early = seen.map((l) => pattern.exec(l)).find((m) => m);
        if (early) return resolve(early);
        const timer = setTimeout(() => reject(new Error(`${name}: no line matching ${pattern} within ${timeoutMs} ms; stderr: ${err.trim()}`)), timeoutMs);
        const f = (l: string) => {
          const m = pattern.exec(l);
          if (!m) return;
          listeners.splice(listeners.indexOf(f), 1);
          clearTimeout(timer);
          resolve(m);
        };
        listeners.push(f);
        void exited.then(() => {
          clearTimeout(timer);
          reject(new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before printing ${pattern}; stderr: ${err.trim()}`));
        });
      }),
    onLine: (fn) => void listeners.push(fn),
    stderr: () => err,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 8000);
      await exited;
      clearTimeout(killer);
    },
  };
  procs.push(p);
  return p;
}

/** Resolves once something accepts connections on the port and the target behind it greets. */
async function untilServing(port: number, what: string): Promise<void> {
  const end = Date.now() + 10_000;
  for (;;) {
    try {
      (await connectReady(port, 2000)).destroy();
      return;
    } catch (err) {
      if (Date.now() > end) throw new Error(`${what} on ${port}: ${(err as Error).message}`);
      await sleep(50);
    }
  }
}

// --- set-up ---------------------------------------------------------------------------------------------------------

ensureBuilt();
if (spawnSync('socat', ['-V'], { stdio: 'ignore' }).status !== 0) throw new Error('socat is not installed (scripts/setup-system.sh installs it with the TEST packages)');
const work = mkdtempSync(join(tmpdir(), 'gp-bench-assist-'));
const deskDir = join(work, 'desk');
const agentDir = join(work, 'agent');
mkdirSync(agentDir, { recursive: true });

const deskAgentsPort = await freePort();
await initDesk({ dir: deskDir, names: ['localhost'], agentsPort: deskAgentsPort, apiPort: await freePort(), agentsHost: '127.0.0.1' });
const deskFile = join(deskDir, 'desk.json');
writeFileSync(deskFile, JSON.stringify({ ...JSON.parse(readFileSync(deskFile, 'utf8')), log: { file: 'desk.log', level: 'warn', stdout: false } }, null, 2));
/** The node flags the desk's unit starts it with (its ExecStart), so the bench's desk runs as the installed one does. */
function deskUnitNodeFlags(): string[] {
  const unit = readFileSync(join(ROOT, 'provisioning/systemd/guardpost-desk.service'), 'utf8');
  const exec = /^ExecStart=\S+\s+(.*?)\s+\S*guardpost\.js\b/m.exec(unit);
  return exec ? exec[1]!.split(/\s+/).filter((a) => a.startsWith('--')) : [];
}

const desk = proc('desk', process.execPath, [...deskUnitNodeFlags(), '--import', 'tsx', join(ROOT, 'bench/support/assist-desk-process.ts'), deskDir, ENGINEER]);
const target = proc('target', process.execPath, ['--import', 'tsx', join(ROOT, 'bench/support/assist-target-process.ts')]);

/** Fault transitions the desk committed: the agent engine's transition time and the desk's commit time, epoch ms. */
const committed: { at: number; commit: number }[] = [];
desk.onLine((l) => {
  const m = /^COMMITTED (\S+) (\d+) (\S+) ([\d.]+)$/.exec(l);
  if (m && m[1] === AGENT_ID) committed.push({ at: Date.parse(m[3]!), commit: Number(m[4]) });
});
const ready = JSON.parse((await desk.line(/^READY (\{.*\})$/))[1]!) as { agentsPort: number; apiPort: number; token: string };
const targetPort = Number((await target.line(/^READY (\d+)$/))[1]);
const targetAddr = `127.0.0.1:${targetPort}`;

// The agent's configuration: 8 logs checks (every 1 s) the bench writes error lines to, the desk, assistance.
const flagFiles: string[] = [];
const checks: Record<string, unknown> = {};
for (let i = 0; i < FLAG_CHECKS; i++) {
  const file = join(agentDir, 'logs', `app-${i}.log`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, '');
  flagFiles.push(file);
  checks[`flag-${i}`] = { type: 'logs', paths: [file], patterns: ['ERROR'], minorCount: 1, majorCount: MAJOR_LINES, intervalSeconds: 1, timeoutSeconds: 1, raiseAfter: 1, clearAfter: 1 };
}
const issued = await issueAgent(deskDir, AGENT_ID, join(agentDir, 'certs'));
const agentConfig = {
  site: SITE,
  agent: { id: AGENT_ID },
  checks,
  desk: { ...issued, url: `wss://127.0.0.1:${ready.agentsPort}/agent` },
  web: { enabled: true, host: '127.0.0.1', port: await freePort() },
  logging: { file: join(agentDir, 'agent.log'), level: 'warn', stdout: false },
  storage: { dir: join(agentDir, 'state') },
  assist: {
    enabled: true,
    kinds: { diag: true, forward: true, shell: true },
    forwardTargets: [targetAddr],
    bandwidthBytesPerSecond: 1_073_741_824,
    maxDurationMinutes: 60,
    // Two day-long windows half a day apart: whatever the time, one has more than 12 h left.
    maintenanceWindows: [
      { name: 'bench-midnight', days: WEEK, from: '00:00', to: '23:59' },
      { name: 'bench-noon', days: WEEK, from: '12:00', to: '11:59' },
    ],
    shell: { user: 'nobody', command: ['/bin/sh'], cwd: '/' },
  },
};
const configFile = join(agentDir, 'config.json');
writeFileSync(configFile, JSON.stringify(agentConfig, null, 2));
const agentEnv: NodeJS.ProcessEnv = { ...process.env };
delete agentEnv.INVOCATION_ID; // file-only logging, as a service without journald
// The service's V8 flags (agent/core/runtime/service-tuning.ts) are part of what is measured; for a diagnosis,
// GUARDPOST_BENCH_AGENT_V8_DEFAULTS=1 runs the agent on V8's defaults instead (said so in the output).
const agentV8Defaults = process.env.GUARDPOST_BENCH_AGENT_V8_DEFAULTS === '1';
if (agentV8Defaults) agentEnv.GUARDPOST_V8_DEFAULTS = '1';
else delete agentEnv.GUARDPOST_V8_DEFAULTS;
const agent = proc('agent', process.execPath, [BIN, 'run', '--config', configFile], agentEnv);
const agentPid = agent.child.pid!;

const api = new DeskApiClient(new URL(`https://127.0.0.1:${ready.apiPort}`), ready.token, readFileSync(join(deskDir, 'ca.pem')));
const assist = new AssistClient(api);
{
  const end = Date.now() + 30_000;
  for (;;) {
    const agents = await api.get<{ agents: AgentRow[] }>('/api/v1/agents').catch(() => ({ agents: [] as AgentRow[] }));
    if (agents.agents.find((a) => a.id === AGENT_ID)?.online) break;
    if (agent.child.exitCode !== null) throw new Error(`the agent exited (${agent.child.exitCode}): ${agent.stderr().trim()}`);
    if (Date.now() > end) throw new Error(`the agent did not come online at the desk within 30 s; its stderr: ${agent.stderr().trim()}`);
    await sleep(100);
  }
}
console.log(`${elapsed()} desk (pid ${desk.child.pid}), agent (pid ${agentPid}, dist/, ${agentV8Defaults ? 'V8 DEFAULTS (GUARDPOST_BENCH_AGENT_V8_DEFAULTS=1), not the service flags' : 'service V8 flags'}) connected over mutual TLS on loopback; target ${targetAddr}`);

/** Median of `n` VmRSS readings of the agent, `everyMs` apart. */
async function agentRss(n = 3, everyMs = 1000): Promise<ReturnType<typeof procMemory>> {
  const readings: ReturnType<typeof procMemory>[] = [];
  for (let i = 0; i < n; i++) {
    if (i) await sleep(everyMs);
    readings.push(procMemory(agentPid));
  }
  return readings.sort((a, b) => a.rssKB - b.rssKB)[Math.floor(n / 2)]!;
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
/** User + system CPU of a process so far, in clock ticks (/proc/PID/stat fields 14 and 15). */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

// --- fault flipping -------------------------------------------------------------------------------------------------

/**
 * Fault transitions on demand, as many as wanted: every check's log gets an error line every 100 ms (each 1 s scan
 * finds ~10: LOG_ERRORS open, minor) and, every 2 s (staggered across the checks), a burst of 2×MAJOR_LINES lines
 * (that scan: major; the next: minor again). So each check regrades about once a second ('updated' transitions)
 * without re-opening: the engine's flap damping never holds anything back. Stopping leaves the logs quiet, and
 * the next scans resolve the faults.
 */
function startFaults(): () => Promise<void> {
  const timers: NodeJS.Timeout[] = [];
  const burst = 'ERROR bench burst\n'.repeat(2 * MAJOR_LINES);
  timers.push(setInterval(() => flagFiles.forEach((f) => appendFileSync(f, 'ERROR bench\n')), 100));
  flagFiles.forEach((file, i) => {
    timers.push(
      setTimeout(() => {
        appendFileSync(file, burst);
        timers.push(setInterval(() => appendFileSync(file, burst), 2 * FLIP_EVERY_MS));
      }, (i * 2 * FLIP_EVERY_MS) / FLAG_CHECKS),
    );
  });
  return async () => {
    timers.forEach((t) => clearTimeout(t));
    await sleep(3000); // the resolutions reach the desk before the next phase
  };
}

/** Latencies (ms) of the transitions the engine made in [from, to). */
const latenciesIn = (from: number, to: number): number[] => committed.filter((c) => c.at >= from && c.at < to).map((c) => c.commit - c.at);

async function faultPhase(ms: number, during?: () => Promise<void>): Promise<number[]> {
  const from = Date.now();
  const stop = startFaults();
  await (during ? Promise.all([sleep(ms), during()]) : sleep(ms));
  const to = Date.now();
  await stop();
  return latenciesIn(from, to);
}

// --- 1. idle ----------------------------------------------------------------------------------------------------------

await sleep(4000);
const idleRss = await agentRss();
console.log(`${elapsed()} agent idle (no session): VmRSS ${mb(idleRss.rssKB)} MB (RssAnon ${mb(idleRss.anonKB)} MB, RssFile ${mb(idleRss.fileKB)} MB)`);
const idleFaults = await faultPhase(IDLE_FAULT_MS);
const dist = (x: number[]): string => `p50 ${round(percentile(x, 50))} ms, p90 ${round(percentile(x, 90))} ms, p99 ${round(percentile(x, 99))} ms, max ${round(Math.max(...x))} ms`;
console.log(`${elapsed()} fault → desk, idle: ${idleFaults.length} transitions, ${dist(idleFaults)}`);

// --- 2. a session, the engineer's forwarder, socat -------------------------------------------------------------------

const asked = await assist.request(AGENT_ID, { kinds: ['forward', 'shell'], reason: 'bench', durationMinutes: LONG ? 30 : 15, forwardTargets: [targetAddr] });
const row = await assist.waitForDecision(asked.id, () => undefined);
if (row.state !== 'running') throw new Error(`the request was not approved by the window: ${row.state} ${JSON.stringify(row)}`);
console.log(`${elapsed()} session ${row.sessionId} running, approved by ${row.approvedBy}`);
const fwd = proc('desk-cli forward', process.execPath, [BIN, 'desk-cli', 'forward', AGENT_ID, targetAddr, '--listen', '127.0.0.1:0', '--session', row.id, '--url', `https://127.0.0.1:${ready.apiPort}`, '--ca', join(deskDir, 'ca.pem')], {
  ...process.env,
  GUARDPOST_DESK_TOKEN: ready.token,
});
const fwdPort = Number((await fwd.line(/^127\.0\.0\.1:(\d+)$/))[1]);
const socatPort = await freePort();
proc('socat', 'socat', [`TCP-LISTEN:${socatPort},bind=127.0.0.1,reuseaddr,fork`, `TCP:${targetAddr}`]);
await untilServing(socatPort, 'socat');
await untilServing(fwdPort, 'desk-cli forward');

// --- 3. RSS with one shell and one forward open -----------------------------------------------------------------------

let shellNote = '';
let attached: AttachedSession | undefined;
let shell: Channel | undefined;
try {
  attached = await assist.attach(row.id);
  shell = await attached.mux.open({ kind: 'shell', params: { cols: 80, rows: 24, term: 'xterm' } });
  let out = '';
  shell.setReader((b) => void (out += b.toString()));
  await shell.write(inputFrame(Buffer.from('echo GP_$((40+2)) $(id -un)\n')));
  const end = Date.now() + 10_000;
  while (!/GP_42 (\S+)/.test(out) && Date.now() < end) await sleep(20);
  const m = /GP_42 (\S+)/.exec(out);
  shellNote = m ? `shell /bin/sh as ${m[1]} answered` : `shell opened but did not answer within 10 s (output: ${JSON.stringify(out.slice(-200))})`;
} catch (err) {
  shellNote = `no shell: ${(err as Error & { reason?: string }).reason ?? (err as Error).message}`;
  shell = undefined;
}
const held = await openEcho(fwdPort);
await held.ping();
await sleep(3000);
const openRss = await agentRss();
console.log(`${elapsed()} agent with ${shell ? 'one shell and ' : ''}one forward open: VmRSS ${mb(openRss.rssKB)} MB (idle ${mb(idleRss.rssKB)} MB); ${shellNote}`);
held.socket.destroy();
shell?.close('done');
attached?.close();
await sleep(500);

// --- 4. throughput ----------------------------------------------------------------------------------------------------

const runs: Record<string, Transfer & { cpu: Record<string, number> }> = {};
/** CPU use (% of one core) of the processes on the path while `f` ran: where the time goes. */
async function measure(name: string, f: () => Promise<Transfer>): Promise<void> {
  const watched = { agent: agentPid, desk: desk.child.pid!, 'desk-cli': fwd.child.pid!, target: target.child.pid! };
  const before = Object.fromEntries(Object.entries(watched).map(([k, pid]) => [k, cpuTicks(pid)]));
  const self0 = process.cpuUsage();
  const t = await f();
  const self = process.cpuUsage(self0);
  const cpu = Object.fromEntries(Object.entries(watched).map(([k, pid]) => [k, Math.round(((cpuTicks(pid) - before[k]!) / CLK_TCK / t.seconds) * 100)]));
  cpu.client = Math.round(((self.user + self.system) / 1e6 / t.seconds) * 100);
  runs[name] = { ...t, cpu };
  const shown = name.startsWith('forward') ? cpu : { target: cpu.target!, client: cpu.client };
  console.log(`${elapsed()} ${name}: ${round(t.mbPerSecond, 1)} MB/s (${round(t.bytes / 1e6)} MB in ${round(t.seconds)} s); CPU % of a core: ${Object.entries(shown).map(([k, v]) => `${k} ${v}`).join(', ')}`);
}
// A short warm-up of each path (connections, JIT of the client, buffers), then the measured transfers interleaved.
/** Forward downloads whose end never arrived: [bytes lost, of bytes asked] (the target sent them all, then its FIN). */
const cutShort: [number, number][] = [];
let forwardDownloads = 0;
const noteLoss = (port: number, t: Transfer, asked: number): Transfer => {
  if (port === fwdPort) forwardDownloads++;
  if (!t.lost) return t;
  if (port === fwdPort) cutShort.push([t.lost, asked]);
  console.log(`!! download via ${port === fwdPort ? 'the forward' : port === socatPort ? 'socat' : 'direct'}: the connection closed ${t.lost} bytes short of the ${asked} the target sent (then its FIN)`);
  return t;
};
const fetchBytes = async (port: number, n: number) => noteLoss(port, await download(port, n), n);
for (const port of [targetPort, socatPort, fwdPort]) {
  await fetchBytes(port, 10e6);
  await upload(port, 10e6);
}
await measure('direct download', () => fetchBytes(targetPort, TRANSFER_BYTES));
await measure('socat download', () => fetchBytes(socatPort, TRANSFER_BYTES));
await measure('forward download', () => fetchBytes(fwdPort, TRANSFER_BYTES));
await measure('direct upload', () => upload(targetPort, TRANSFER_BYTES));
await measure('socat upload', () => upload(socatPort, TRANSFER_BYTES));
await measure('forward upload', () => upload(fwdPort, TRANSFER_BYTES));

// Short downloads through the forward, each ended by the target's FIN: does every byte before the FIN arrive?
for (let i = 0; i < END_CHECKS; i++) await fetchBytes(fwdPort, 4e6 + i * 4099);
console.log(`${elapsed()} forward downloads whose end did not arrive: ${cutShort.length} of ${forwardDownloads}${cutShort.length ? ` (${cutShort.map(([l]) => l).join(', ')} bytes lost)` : ''}`);

// --- 5. round trips ---------------------------------------------------------------------------------------------------

const rtt = {
  direct: await pingPong(targetPort, PINGS, PING_SIZE, PING_WARMUP),
  socat: await pingPong(socatPort, PINGS, PING_SIZE, PING_WARMUP),
  forward: await pingPong(fwdPort, PINGS, PING_SIZE, PING_WARMUP),
};
const rttOf = (k: keyof typeof rtt) => ({ p50: round(percentile(rtt[k], 50), 3), p99: round(percentile(rtt[k], 99), 3) });
const rttStats = { direct: rttOf('direct'), socat: rttOf('socat'), forward: rttOf('forward') };
console.log(`${elapsed()} ${PING_SIZE} B round trips (${PINGS} each): direct p50 ${rttStats.direct.p50} p99 ${rttStats.direct.p99} ms; socat p50 ${rttStats.socat.p50} p99 ${rttStats.socat.p99} ms; forward p50 ${rttStats.forward.p50} p99 ${rttStats.forward.p99} ms`);

// --- 6. saturated forward: faults and RSS -----------------------------------------------------------------------------

const flood = await saturate(fwdPort);
await sleep(SATURATION_WARMUP_MS);
const rssSamples: { t: number; rssKB: number }[] = [];
const floodFrom = { t: performance.now(), bytes: flood.bytes() };
const satFaults = await faultPhase(SATURATED_MS, async () => {
  const t0 = performance.now();
  for (;;) {
    rssSamples.push({ t: round((performance.now() - t0) / 1000, 1), rssKB: procMemory(agentPid).rssKB });
    if (performance.now() - t0 + RSS_EVERY_MS > SATURATED_MS) break;
    await sleep(RSS_EVERY_MS);
    if (LONG && rssSamples.length % 30 === 0) console.log(`${elapsed()} saturated ${Math.round((performance.now() - t0) / 1000)} s: agent VmRSS ${mb(rssSamples.at(-1)!.rssKB)} MB`);
  }
});
const floodRate = (flood.bytes() - floodFrom.bytes) / 1e6 / ((performance.now() - floodFrom.t) / 1000);
flood.stop();
const first = rssSamples[0]!;
const last = rssSamples.at(-1)!;
const maxRss = Math.max(...rssSamples.map((s) => s.rssKB));
const growthKB = last.rssKB - first.rssKB;
console.log(
  `${elapsed()} saturated forward (${round(floodRate, 1)} MB/s over the phase, faults raised meanwhile): fault → desk ${satFaults.length} transitions, ` +
    `${dist(satFaults)}; agent VmRSS ${mb(first.rssKB)} → ${mb(last.rssKB)} MB over ${round(SATURATED_MS / 1000)} s ` +
    `(max ${mb(maxRss)} MB, ${rssSamples.length} samples every ${RSS_EVERY_MS / 1000} s)`,
);
const deskStats = await (async () => {
  const m = desk.line(/^STATS (\{.*\})$/, 5000);
  desk.child.stdin!.write('stats\n');
  return JSON.parse((await m)[1]!) as { rssKB: number; transactions: number; ops: number };
})().catch(() => undefined);

// --- teardown -----------------------------------------------------------------------------------------------------------

await assist.end(row.id).catch(() => undefined);
for (const p of [...procs].reverse()) await p.stop();

// --- summary ------------------------------------------------------------------------------------------------------------

const mbps = (k: string): number => round(runs[k]!.mbPerSecond, 1);
const throughputRow = (dir: 'download' | 'upload'): SummaryRow => {
  const r = runs[`forward ${dir}`]!.mbPerSecond / runs[`socat ${dir}`]!.mbPerSecond;
  return { figure: `forward ${dir} (engineer ${dir === 'download' ? '←' : '→'} target) vs socat`, value: mbps(`forward ${dir}`), unit: 'MB/s', baseline: mbps(`socat ${dir}`), ratio: round(r), target: '≥ 0.5×', verdict: verdict(r >= 0.5) };
};
const addedP50 = round(rttStats.forward.p50 - rttStats.direct.p50, 3);
const addedP99 = round(rttStats.forward.p99 - rttStats.direct.p99, 3);
const idleP99 = percentile(idleFaults, 99);
const satP99 = percentile(satFaults, 99);
const faultRatio = satP99 / idleP99;
const summary: SummaryRow[] = [
  throughputRow('download'),
  throughputRow('upload'),
  { figure: 'direct TCP download (no relay, for scale)', value: mbps('direct download'), unit: 'MB/s' },
  { figure: 'direct TCP upload (no relay, for scale)', value: mbps('direct upload'), unit: 'MB/s' },
  { figure: `${PING_SIZE} B round trip via forward p50 (vs direct)`, value: rttStats.forward.p50, unit: 'ms', baseline: rttStats.direct.p50, ratio: round(rttStats.forward.p50 / rttStats.direct.p50) },
  { figure: `${PING_SIZE} B round trip added by forward p50`, value: addedP50, unit: 'ms', target: '≤ 1 ms', verdict: verdict(addedP50 <= 1) },
  { figure: `${PING_SIZE} B round trip added by forward p99`, value: addedP99, unit: 'ms' },
  { figure: `${PING_SIZE} B round trip via socat p50 (for scale)`, value: rttStats.socat.p50, unit: 'ms', baseline: rttStats.direct.p50, ratio: round(rttStats.socat.p50 / rttStats.direct.p50) },
  { figure: 'fault → desk p50, forward saturated vs idle', value: round(percentile(satFaults, 50)), unit: 'ms', baseline: round(percentile(idleFaults, 50)), ratio: round(percentile(satFaults, 50) / percentile(idleFaults, 50)) },
  { figure: 'fault → desk p99, forward saturated vs idle', value: round(satP99), unit: 'ms', baseline: round(idleP99), ratio: round(faultRatio), target: '≤ 2×', verdict: verdict(faultRatio <= 2) },
  { figure: 'forward downloads whose end was lost (target FIN before the last bytes went)', value: cutShort.length, unit: `of ${forwardDownloads}`, target: '0', verdict: verdict(cutShort.length === 0) },
  { figure: `agent RSS, ${shell ? 'one shell + ' : ''}one forward open vs idle`, value: mb(openRss.rssKB), unit: 'MB', baseline: mb(idleRss.rssKB), ratio: round(openRss.rssKB / idleRss.rssKB) },
  { figure: `agent RSS growth over ${round(SATURATED_MS / 1000)} s saturated forward (first → last sample, after ${SATURATION_WARMUP_MS / 1000} s warm-up)`, value: mb(growthKB), unit: 'MB', baseline: mb(first.rssKB), target: `≤ ${GROWTH_TOLERANCE_MB} MB (noise)`, verdict: verdict(growthKB <= GROWTH_TOLERANCE_MB * 1024) },
  { figure: 'agent RSS max during saturated forward', value: mb(maxRss), unit: 'MB', baseline: mb(idleRss.rssKB), ratio: round(maxRss / idleRss.rssKB) },
];

console.log('');
console.log(`Guardpost remote assistance, node ${process.version}, ${round(TRANSFER_BYTES / 1e6)} MB per transfer, all processes on this machine's loopback`);
const cols = ['figure', 'value', 'baseline', 'ratio', 'target', 'verdict'] as const;
const cells = summary.map((s) => [s.figure, `${s.value} ${s.unit}`, s.baseline === undefined ? '' : `${s.baseline} ${s.unit}`, s.ratio === undefined ? '' : `${s.ratio}×`, s.target ?? '', s.verdict ?? '']);
const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((r) => [...r[i]!].length)));
const fmtRow = (r: readonly string[]) => r.map((c, i) => c + ' '.repeat(widths[i]! - [...c].length)).join('  ');
console.log(fmtRow(cols));
console.log(fmtRow(widths.map((w) => '-'.repeat(w))));
for (const r of cells) console.log(fmtRow(r));
console.log('');
for (const s of summary.filter((x) => x.verdict)) console.log(`${s.verdict}  ${s.figure}: ${s.value} ${s.unit}${s.ratio !== undefined ? ` (${s.ratio}× baseline)` : ''}, target ${s.target}`);
console.log(`${shellNote}; desk at the end: VmRSS ${deskStats ? mb(deskStats.rssKB) : '?'} MB, ${deskStats?.ops ?? '?'} store operations in ${deskStats?.transactions ?? '?'} transactions; elapsed ${round((performance.now() - started) / 1000, 1)} s`);

printBenchJson({
  bench: 'assist',
  long: LONG,
  transferBytes: TRANSFER_BYTES,
  agentV8Defaults,
  throughputMBps: Object.fromEntries(Object.entries(runs).map(([k, t]) => [k, round(t.mbPerSecond, 1)])),
  cpuPercent: Object.fromEntries(Object.entries(runs).map(([k, t]) => [k, t.cpu])),
  rttMs: rttStats,
  forwardDownloadsCutShort: { count: cutShort.length, of: forwardDownloads, lostBytes: cutShort.map(([l]) => l) },
  faultMs: {
    idle: { n: idleFaults.length, p50: round(percentile(idleFaults, 50)), p99: round(idleP99) },
    saturated: { n: satFaults.length, p50: round(percentile(satFaults, 50)), p99: round(satP99), forwardMBps: round(floodRate, 1) },
  },
  rssMB: { idle: mb(idleRss.rssKB), shellAndForward: mb(openRss.rssKB), saturatedFirst: mb(first.rssKB), saturatedLast: mb(last.rssKB), saturatedMax: mb(maxRss), samples: rssSamples.map((s) => mb(s.rssKB)) },
  shell: shellNote,
  summary,
});
process.exit(0);
