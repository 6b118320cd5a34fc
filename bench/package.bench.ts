/**
 * The package as a field engineer installs it, all on loopback:
 * - size: the .deb and what it installs, against what went into it untidied (the runtime as the registry ships it,
 *   the production node_modules as npm built them) — the tidy-up's share;
 * - install to first fault at the desk: `dpkg-deb -x` (what dpkg does to files), `guardpost init --non-interactive`,
 *   `guardpost enroll` with a code from the desk, `guardpost run`, until the desk's API lists the terminal's first
 *   fault (its settlement endpoint is a closed port). Baseline: the same agent started from the source tree on the
 *   machine's Node, already enrolled — start to fault alone — so the ratio is what installing costs on top;
 * - RSS of that agent under the packaged runtime with the unit's environment (MALLOC_ARENA_MAX from
 *   guardpost.service) against the same agent and config under the machine's Node without it, run one after the other.
 * Figures only. Run: node --import tsx bench/package.bench.ts (npm run bench -- package); last line BENCH_JSON.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printBenchJson, procMemory, round, sleep, type SummaryRow } from './support/bench-util.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'gp-bench-package-'));
const children: ChildProcess[] = [];
const site = (terminalId: string) => ['--institution-code', 'P44010600123', '--institution-name', '基准药房', '--area-code', '440106', '--terminal-id', terminalId];
const PACKAGED = 'POS-PKG';
const BASELINE = 'POS-BASE';
const RSS_SETTLE_MS = 15_000;

const mb = (bytes: number) => round(bytes / 1e6, 1);

function sh(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${(r.stderr || r.stdout).slice(-600)}`);
  return r.stdout;
}

const duBytes = (path: string) => Number(sh('du', ['-sb', path]).split(/\s/)[0]);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** `env` is added to this process's environment; a key set to undefined is taken out of it. */
function start(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const merged = { ...process.env, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete merged[k];
  const child = spawn(cmd, args, { env: merged, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.setEncoding('utf8').on('data', (c: string) => process.env.BENCH_VERBOSE && process.stderr.write(c));
  children.push(child);
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}

/** The engineer API's faults for the agent (pinned to the desk's CA, a token from desk-cli token create). */
function deskFaults(desk: DeskAccess, agent: string): Promise<number> {
  const { apiPort, ca, token } = desk;
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port: apiPort, path: `/api/v1/faults?agent=${agent}`, ca, servername: 'localhost', headers: { authorization: `Bearer ${token}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => {
        try {
          resolve((JSON.parse(body) as { faults?: unknown[] }).faults?.length ?? 0);
        } catch {
          resolve(0);
        }
      });
    });
    req.on('error', () => resolve(0));
    req.end();
  });
}

interface DeskAccess {
  apiPort: number;
  ca: string;
  token: string;
}

async function untilFault(desk: DeskAccess, agent: string, t0: number): Promise<number> {
  for (;;) {
    if ((await deskFaults(desk, agent)) > 0) return performance.now() - t0;
    if (performance.now() - t0 > 60_000) throw new Error('no fault reached the desk within 60 s');
    await sleep(50);
  }
}

/** The terminal's state and logs in the scratch root instead of /var: the one edit a bench makes to init's config. */
function scratchPaths(file: string, dir: string): void {
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  doc.storage = { dir: join(dir, 'state') };
  doc.logging = { file: join(dir, 'agent.log') };
  doc.web = { enabled: false };
  writeFileSync(file, JSON.stringify(doc, null, 2));
}

async function rssOf(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ rssKB: number; anonKB: number }> {
  const child = start(cmd, args, env);
  await sleep(RSS_SETTLE_MS);
  const m = procMemory(child.pid!);
  await stop(child);
  return { rssKB: m.rssKB, anonKB: m.anonKB };
}

async function main(): Promise<void> {
  const summary: SummaryRow[] = [];
  // Size.
  console.log('building the .deb (provisioning/deb/build-deb.mjs)…');
  const deb = sh(process.execPath, [join(ROOT, 'provisioning/deb/build-deb.mjs'), '--out', join(work, 'out')]).trim().split('\n').pop()!;
  const debBytes = statSync(deb).size;
  const rootDir = join(work, 'terminal');
  const t0 = performance.now();
  sh('dpkg-deb', ['-x', deb, rootDir]);
  const extractMs = performance.now() - t0;
  const program = join(rootDir, 'usr/lib/guardpost');
  const installed = duBytes(rootDir);
  const runtimeBytes = statSync(join(program, 'runtime/bin/node')).size;
  const modulesBytes = duBytes(join(program, 'node_modules'));
  // The production packages as npm built them here, top-level folders only (nested ones are inside them).
  const prodModules = new Set(sh('npm', ['ls', '--omit=dev', '--all', '--parseable']).split('\n').map((p) => relative(ROOT, p.trim())).filter((p) => /^node_modules\/(@[^/]+\/)?[^/]+$/.test(p)));
  const untidyModules = [...prodModules].reduce((n, p) => n + duBytes(join(ROOT, p)), 0);
  const registryNode = statSync(process.execPath).size;
  summary.push(
    { figure: '.deb size', value: mb(debBytes), unit: 'MB' },
    { figure: 'installed size', value: mb(installed), unit: 'MB' },
    { figure: 'runtime (stripped) vs as shipped', value: mb(runtimeBytes), unit: 'MB', baseline: mb(registryNode), ratio: round(runtimeBytes / registryNode) },
    { figure: 'node_modules packaged vs as built', value: mb(modulesBytes), unit: 'MB', baseline: mb(untidyModules), ratio: round(modulesBytes / untidyModules) },
  );

  // The desk, from the package, on loopback.
  const node = join(program, 'runtime/bin/node');
  const packagedCli = (args: string[]) => sh(node, [join(program, 'bin/guardpost.js'), ...args]);
  const machineCli = (args: string[]) => sh(process.execPath, [join(ROOT, 'bin/guardpost.js'), ...args]);
  const deskDir = join(work, 'desk');
  const [agentsPort, apiPort, enrollPort, closedPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  packagedCli(['desk', 'init', '--dir', deskDir, '--agents-port', String(agentsPort), '--api-port', String(apiPort), '--enroll-port', String(enrollPort), '--listen', '127.0.0.1']);
  packagedCli(['desk-cli', 'token', 'create', 'bench', '--dir', deskDir, '--save']);
  const desk: DeskAccess = { apiPort, ca: readFileSync(join(deskDir, 'ca.pem'), 'utf8'), token: readFileSync(join(deskDir, 'cli-token'), 'utf8').trim() };
  start(node, [join(program, 'bin/guardpost.js'), 'desk', 'run', '--dir', deskDir]);
  await sleep(1500);

  /** init, enroll: a terminal's set-up through `cli`, its files under `dir`; returns the config and the timings. */
  const setUp = (cli: typeof packagedCli, dir: string, terminalId: string) => {
    const config = join(dir, 'etc/guardpost/config.json');
    mkdirSync(join(dir, 'etc/guardpost'), { recursive: true });
    const code = JSON.parse(packagedCli(['desk-cli', 'enroll-code', '--site', 'P44010600123', '--dir', deskDir, '--json'])) as { code: string; pin: string };
    const tInit = performance.now();
    cli(['init', '--non-interactive', ...site(terminalId), '--settlement-url', `http://127.0.0.1:${closedPort}/fsi/api`, '--config', config, '--no-pcsc', '--no-tokens']);
    const initMs = performance.now() - tInit;
    scratchPaths(config, dir);
    const tEnroll = performance.now();
    cli(['enroll', '--desk', `wss://localhost:${agentsPort}/agent`, '--enroll-url', `https://localhost:${enrollPort}/enroll`, '--code', code.code, '--desk-pin', code.pin, '--config', config]);
    return { config, initMs, enrollMs: performance.now() - tEnroll };
  };

  // Install to first fault: the terminal's side, timed from the extraction above.
  const pkg = setUp(packagedCli, rootDir, PACKAGED);
  const tRun = performance.now();
  const packagedAgent = start(node, [join(program, 'bin/guardpost.js'), 'run', '--config', pkg.config], { MALLOC_ARENA_MAX: '2' });
  const runToFaultMs = await untilFault(desk, `P44010600123-${PACKAGED}`, tRun);
  const installToFaultMs = extractMs + pkg.initMs + pkg.enrollMs + runToFaultMs;
  await stop(packagedAgent);

  // Baseline: a second terminal from the source tree on this machine's Node, set up beforehand, start to fault.
  const base = setUp(machineCli, join(work, 'baseline'), BASELINE);
  const tBase = performance.now();
  const machineAgent = start(process.execPath, [join(ROOT, 'bin/guardpost.js'), 'run', '--config', base.config]);
  const baseRunToFaultMs = await untilFault(desk, `P44010600123-${BASELINE}`, tBase);
  await stop(machineAgent);
  summary.push(
    { figure: 'extract (dpkg-deb -x)', value: round(extractMs, 0), unit: 'ms' },
    { figure: 'guardpost init --non-interactive (package / machine Node)', value: round(pkg.initMs, 0), unit: 'ms', baseline: round(base.initMs, 0), ratio: round(pkg.initMs / base.initMs) },
    { figure: 'guardpost enroll (package / machine Node)', value: round(pkg.enrollMs, 0), unit: 'ms', baseline: round(base.enrollMs, 0), ratio: round(pkg.enrollMs / base.enrollMs) },
    { figure: 'run → first fault at the desk (package / machine Node)', value: round(runToFaultMs, 0), unit: 'ms', baseline: round(baseRunToFaultMs, 0), ratio: round(runToFaultMs / baseRunToFaultMs) },
    { figure: 'install → first fault at the desk (vs run → fault alone)', value: round(installToFaultMs, 0), unit: 'ms', baseline: round(baseRunToFaultMs, 0), ratio: round(installToFaultMs / baseRunToFaultMs) },
  );

  // RSS, one after the other (one agent id: two at once would replace each other at the desk).
  const unitEnv = Object.fromEntries([...readFileSync(join(ROOT, 'provisioning/systemd/guardpost.service'), 'utf8').matchAll(/^Environment=(\w+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
  const packaged = await rssOf(node, [join(program, 'bin/guardpost.js'), 'run', '--config', pkg.config], unitEnv);
  const machine = await rssOf(process.execPath, [join(ROOT, 'bin/guardpost.js'), 'run', '--config', pkg.config], Object.fromEntries(Object.keys(unitEnv).map((k) => [k, undefined])));
  summary.push(
    { figure: `agent RSS, packaged runtime + unit env (${Object.keys(unitEnv).join(', ')})`, value: round(packaged.rssKB / 1024, 1), unit: 'MB', baseline: round(machine.rssKB / 1024, 1), ratio: round(packaged.rssKB / machine.rssKB) },
    { figure: 'agent anonymous RSS, packaged vs machine Node', value: round(packaged.anonKB / 1024, 1), unit: 'MB', baseline: round(machine.anonKB / 1024, 1), ratio: round(packaged.anonKB / machine.anonKB) },
  );

  for (const r of summary) console.log(`${r.figure.padEnd(62)} ${String(r.value).padStart(8)} ${r.unit}${r.baseline !== undefined ? `   baseline ${r.baseline} ${r.unit}, ratio ${r.ratio}` : ''}`);
  printBenchJson({ bench: 'package', summary, runtime: process.versions.node, unitEnv });
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(async () => {
    for (const c of children) c.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  });
