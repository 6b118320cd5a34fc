/**
 * Token check cost per cycle, 4 SoftHSM2 tokens × 4 certificates (RSA, ECDSA P-256, an SM2 signing + encryption
 * pair, chains verified to RSA and SM2 anchors), one check on one module, as the agent runs it: in the core's
 * isolated child process, from the compiled dist/ (no tsx in the child).
 * - token, isolated: wall ms per cycle (IPC round trip + C_Initialize, slot list, token info, certificate objects,
 *   C_Finalize; the certificate reports reused from the engine while the objects are unchanged), and the child's RSS;
 * - baseline, isolated: the same number of cycles of a no-op plugin in the same kind of child, and its RSS;
 *   "RSS added" = token child − no-op child;
 * - the no-op child with the certificate engine (agent/certs) imported: the engine's share of "RSS added";
 * - token, in process: the same probe without the child (what isolation costs on top), its first cycle (which
 *   inspects all 16 certificates with the engine) and a steady cycle.
 * Run: node --import tsx bench/token.bench.ts   (prints a table, then one line "BENCH_JSON {...}")
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { tokenTestPki } from '../agent/checks/token/test-support/pki.js';
import { PrivateSoftHsm, SOFTHSM_MODULE, softhsmAvailable } from '../agent/checks/token/test-support/softhsm.js';
import type { CheckPlugin, CheckStateHandle } from '../agent/core/checks/plugin.js';
import type { ProbeResult } from '../agent/core/checks/result.js';
import type { IsolatedProbeHost as Host } from '../agent/core/isolation/isolated-probe-host.js';
import { currentPlatform } from '../agent/platform/index.js';
import { median, percentile, printBenchJson, procMemory, round, type SummaryRow } from './support/bench-util.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TOKENS = 4;
const CYCLES = 100;
const WARMUP = 5;
const COLD_PROBES = 3;

const mb = (kB: number): number => round(kB / 1024, 1);

function ensureBuilt(): void {
  const built = join(ROOT, 'dist/agent/checks/token/index.js');
  const source = join(ROOT, 'agent/checks/token/probe.ts');
  if (existsSync(built) && statSync(built).mtimeMs >= statSync(source).mtimeMs) return;
  console.log('dist/ missing or older than the token check: npm run build');
  const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
  if (!existsSync(built)) throw new Error(`npm run build failed (exit ${r.status})`);
}

class MemoryState implements CheckStateHandle {
  value: unknown;
  get<T>(): T | undefined {
    return this.value as T | undefined;
  }
  set<T>(v: T): void {
    this.value = v;
  }
}

interface IsolatedFigures {
  firstMs: number;
  cycleMs: number[];
  rssKB: number;
  hwmKB: number;
  results: number;
}

async function measureIsolated(HostClass: typeof Host, moduleUrl: string, config: unknown): Promise<IsolatedFigures> {
  const host = new HostClass({ checkId: `bench-${Math.random().toString(36).slice(2)}`, moduleUrl, config, state: new MemoryState() });
  try {
    // A fresh signal per run, as the scheduler gives each run its own.
    const run = async () => {
      const t0 = performance.now();
      const out = await host.execute(new AbortController().signal);
      if (out.kind !== 'ok') throw new Error(`isolated run failed: ${out.kind} ${JSON.stringify(out.evidence)}`);
      return { ms: performance.now() - t0, results: out.results as ProbeResult[] };
    };
    const first = await run();
    for (let i = 1; i < WARMUP; i++) await run();
    const cycleMs: number[] = [];
    let results = 0;
    for (let i = 0; i < CYCLES; i++) {
      const r = await run();
      cycleMs.push(r.ms);
      results = r.results.length;
    }
    const mem = procMemory(host.pid!);
    return { firstMs: first.ms, cycleMs, rssKB: mem.rssKB, hwmKB: mem.hwmKB, results };
  } finally {
    await host.close(2000);
  }
}

async function measureInProcess(plugin: CheckPlugin, config: unknown): Promise<{ coldMs: number[]; cycleMs: number[] }> {
  const never = () => new AbortController().signal;
  const ctx = () => ({ checkId: 'bench', platform: currentPlatform(), state: new MemoryState(), now: () => new Date() });
  const coldMs: number[] = [];
  for (let i = 0; i < COLD_PROBES; i++) {
    const probe = plugin.createProbe(config, ctx());
    const t0 = performance.now();
    await probe.run(never());
    coldMs.push(performance.now() - t0);
    await probe.close?.();
  }
  const probe = plugin.createProbe(config, ctx());
  for (let i = 0; i < WARMUP; i++) await probe.run(never());
  const cycleMs: number[] = [];
  for (let i = 0; i < CYCLES; i++) {
    const t0 = performance.now();
    await probe.run(never());
    cycleMs.push(performance.now() - t0);
  }
  await probe.close?.();
  return { coldMs, cycleMs };
}

async function main(): Promise<void> {
  if (!softhsmAvailable) throw new Error(`SoftHSM2 is needed (${SOFTHSM_MODULE}, softhsm2-util, pkcs11-tool): bash scripts/setup-system.sh test`);
  ensureBuilt();
  const hsm = PrivateSoftHsm.create(); // SOFTHSM2_CONF in this process's env: the isolated children inherit it
  const work = mkdtempSync(join(tmpdir(), 'guardpost-bench-token-'));
  try {
    const pki = await tokenTestPki(); // the certificate engine's shared test PKI (openssl, cached per day)
    const tokens = [];
    for (let i = 1; i <= TOKENS; i++) {
      const label = `bench-key-${i}`;
      hsm.initToken(label);
      hsm.importObjects(label, [
        { type: 'cert', file: pki.rsa.cert, id: '01', label: 'rsa' },
        { type: 'cert', file: pki.ec.cert, id: '0a', label: 'ec' },
        { type: 'cert', file: pki.sm2Sign.cert, id: '02', label: 'LAB_USERCERT_SIG' },
        { type: 'cert', file: pki.sm2Enc.cert, id: '02', label: 'LAB_USERCERT_ENC' },
      ]);
      tokens.push({ module: SOFTHSM_MODULE, label, certificates: { anchors: pki.anchors, intermediates: pki.intermediates } });
    }
    const config = { tokens };
    const noop = join(work, 'noop-plugin.mjs');
    writeFileSync(noop, 'export const plugin = { type: "noop", createProbe: () => ({ run: async () => [] }) };\n');
    // The same no-op with the certificate engine imported: how much of the token child's RSS is the engine's.
    const noopEngine = join(work, 'noop-engine-plugin.mjs');
    const engineUrl = pathToFileURL(join(ROOT, 'dist/agent/certs/index.js')).href;
    writeFileSync(noopEngine, `import ${JSON.stringify(engineUrl)};\nexport const plugin = { type: "noop", createProbe: () => ({ run: async () => [] }) };\n`);

    const { IsolatedProbeHost } = (await import(pathToFileURL(join(ROOT, 'dist/agent/core/isolation/index.js')).href)) as { IsolatedProbeHost: typeof Host };
    const tokenUrl = pathToFileURL(join(ROOT, 'dist/agent/checks/token/index.js')).href;
    const { plugin } = (await import(tokenUrl)) as { plugin: CheckPlugin };

    const token = await measureIsolated(IsolatedProbeHost, tokenUrl, config);
    if (token.results !== TOKENS * 5) throw new Error(`expected ${TOKENS} token + ${TOKENS * 4} certificate results, got ${token.results}`);
    const baseline = await measureIsolated(IsolatedProbeHost, pathToFileURL(noop).href, {});
    const engineOnly = await measureIsolated(IsolatedProbeHost, pathToFileURL(noopEngine).href, {});
    const inProcess = await measureInProcess(plugin, config);

    const tokenMs = median(token.cycleMs);
    const baseMs = median(baseline.cycleMs);
    const inMs = median(inProcess.cycleMs);
    const addedKB = token.rssKB - baseline.rssKB;
    const rows: [string, string][] = [
      ['cycles measured (after warm-up)', String(CYCLES)],
      ['token, isolated: cycle median / p90', `${round(tokenMs)} / ${round(percentile(token.cycleMs, 90))} ms`],
      ['no-op, isolated (baseline): cycle median / p90', `${round(baseMs)} / ${round(percentile(baseline.cycleMs, 90))} ms`],
      ['token, in process: cycle median', `${round(inMs)} ms`],
      ['token, in process: first cycle (16 certificates inspected)', `${round(median(inProcess.coldMs))} ms`],
      ['token, isolated: first run (child start, module load, inspection)', `${round(token.firstMs)} ms`],
      ['no-op, isolated: first run (child start)', `${round(baseline.firstMs)} ms`],
      ['child RSS: token / no-op', `${mb(token.rssKB)} / ${mb(baseline.rssKB)} MB`],
      ['RSS added by the token check', `${mb(addedKB)} MB`],
      ['  of which importing the certificate engine (no-op child + agent/certs)', `${mb(engineOnly.rssKB - baseline.rssKB)} MB`],
      ['child peak RSS (VmHWM): token / no-op', `${mb(token.hwmKB)} / ${mb(baseline.hwmKB)} MB`],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    console.log(`token check: ${TOKENS} tokens × 4 certificates (SoftHSM2), one check, isolated child from dist/`);
    for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);

    const summary: SummaryRow[] = [
      { figure: `token cycle, isolated (${TOKENS}×4)`, value: round(tokenMs), unit: 'ms', baseline: round(baseMs), ratio: round(tokenMs / baseMs) },
      { figure: 'token cycle, in process', value: round(inMs), unit: 'ms', baseline: round(baseMs), ratio: round(inMs / baseMs) },
      { figure: 'token first cycle (inspection), in process', value: round(median(inProcess.coldMs)), unit: 'ms' },
      { figure: 'token child RSS', value: mb(token.rssKB), unit: 'MB', baseline: mb(baseline.rssKB), ratio: round(token.rssKB / baseline.rssKB) },
      { figure: 'RSS added by the token check', value: mb(addedKB), unit: 'MB' },
      { figure: '  of which the certificate engine import', value: mb(engineOnly.rssKB - baseline.rssKB), unit: 'MB' },
    ];
    printBenchJson({
      bench: 'token',
      tokens: TOKENS,
      certificatesPerToken: 4,
      cycles: CYCLES,
      isolatedCycleMedianMs: round(tokenMs),
      isolatedCycleP90Ms: round(percentile(token.cycleMs, 90)),
      baselineCycleMedianMs: round(baseMs),
      inProcessCycleMedianMs: round(inMs),
      inProcessFirstCycleMs: round(median(inProcess.coldMs)),
      isolatedFirstRunMs: round(token.firstMs),
      baselineFirstRunMs: round(baseline.firstMs),
      tokenChildRssMB: mb(token.rssKB),
      baselineChildRssMB: mb(baseline.rssKB),
      rssAddedMB: mb(addedKB),
      certificateEngineImportMB: mb(engineOnly.rssKB - baseline.rssKB),
      tokenChildPeakMB: mb(token.hwmKB),
      summary,
    });
  } finally {
    hsm.remove();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
