#!/usr/bin/env node
/**
 * npm run bench: builds dist/ (the memory bench measures the compiled agent), runs every bench/*.bench.ts in turn
 * with `node --import tsx`, streams their output, collects each one's final `BENCH_JSON {...}` line and prints a
 * summary table. Figures only: a missed target is reported, never a failure. Exit 1 only if a bench crashes
 * (non-zero exit, timeout, or no BENCH_JSON line). Build errors are reported: tsc still emits, and the memory bench
 * measures what it emitted.
 * Usage: node scripts/bench.mjs [name ...]   (e.g. `npm run bench -- engine store` runs only those)
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BENCH_DIR = join(ROOT, 'bench');
/**
 * A bench still running after this is treated as crashed (the whole run is meant to stay under ~5 minutes).
 * GUARDPOST_BENCH_LONG=1 asks for the long versions (assist: a 10-minute saturated forward), so it allows 15 minutes.
 */
const BENCH_TIMEOUT_MS = process.env.GUARDPOST_BENCH_LONG === '1' ? 900_000 : 180_000;

const wanted = process.argv.slice(2);
const files = readdirSync(BENCH_DIR)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.includes(f.replace(/\.bench\.ts$/, '')))
  .sort();
const started = performance.now();
let failed = false;

console.log('== npm run build');
const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
const buildWarning = build.status === 0 ? '' : `npm run build exited ${build.status}: dist/ holds what tsc emitted despite the errors above`;
if (buildWarning) console.error(`!! ${buildWarning}`);

/** Runs one bench, echoing its output; resolves to its BENCH_JSON payload or an error text. */
function runBench(file) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', join('bench', file)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let json;
    let parseError;
    const timer = setTimeout(() => child.kill('SIGKILL'), BENCH_TIMEOUT_MS);
    createInterface({ input: child.stdout }).on('line', (line) => {
      console.log(line);
      if (!line.startsWith('BENCH_JSON ')) return;
      try {
        json = JSON.parse(line.slice('BENCH_JSON '.length));
      } catch (err) {
        parseError = err.message;
      }
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const seconds = Math.round((performance.now() - t0) / 100) / 10;
      if (code !== 0) resolve({ file, seconds, error: signal ? `killed by ${signal}${signal === 'SIGKILL' ? ' (timeout?)' : ''}` : `exit ${code}` });
      else if (!json) resolve({ file, seconds, error: parseError ? `bad BENCH_JSON: ${parseError}` : 'no BENCH_JSON line' });
      else resolve({ file, seconds, json });
    });
  });
}

/** Rows for benches whose JSON has no `summary` (written before the convention): pick their headline figures. */
const adapters = {
  scheduler: (j) => [
    { figure: 'scheduler CPU per 1000 runs (trivial check)', value: j.schedulerCpuMsPer1000, unit: 'ms', baseline: j.bareCpuMsPer1000, ratio: ratio(j.schedulerCpuMsPer1000, j.bareCpuMsPer1000) },
  ],
  store: (j) =>
    j.rows.flatMap((r) => [
      { figure: `store commit p50 @${r.pending}`, value: r.commitP50Ms, unit: 'ms', baseline: r.writeFsyncP50Ms, ratio: r.overFsyncRatio },
      { figure: `store commit p99 @${r.pending}`, value: r.commitP99Ms, unit: 'ms', baseline: r.writeFsyncP99Ms, ratio: ratio(r.commitP99Ms, r.writeFsyncP99Ms) },
      { figure: `store bytes per event @${r.pending}`, value: r.bytesPerEvent, unit: 'B' },
    ]),
};

function ratio(a, b) {
  return b > 0 ? Math.round((a / b) * 100) / 100 : undefined;
}

function summaryOf(result) {
  const j = result.json;
  if (Array.isArray(j.summary)) return j.summary;
  if (adapters[j.bench]) return adapters[j.bench](j);
  // Unknown shape: its top-level numbers, so nothing measured goes missing from the summary.
  return Object.entries(j)
    .filter(([, v]) => typeof v === 'number')
    .map(([k, v]) => ({ figure: k, value: v, unit: '' }));
}

const results = [];
for (const file of files) {
  console.log(`\n== ${file}`);
  const result = await runBench(file);
  results.push(result);
  if (result.error) {
    failed = true;
    console.error(`!! ${file} crashed: ${result.error}`);
  }
}

const fmt = (v) => (v === undefined || v === null ? '' : typeof v === 'number' ? String(v) : v);
const rows = [];
for (const r of results) {
  if (r.error) {
    rows.push({ bench: r.file, figure: `CRASHED: ${r.error}`, value: '', baseline: '', ratio: '', target: '', verdict: '' });
    continue;
  }
  for (const s of summaryOf(r)) {
    rows.push({
      bench: r.json.bench,
      figure: s.figure,
      value: `${fmt(s.value)}${s.unit ? ` ${s.unit}` : ''}`,
      baseline: s.baseline === undefined ? '' : `${fmt(s.baseline)}${s.unit ? ` ${s.unit}` : ''}`,
      ratio: s.ratio === undefined ? '' : `${s.ratio}×`,
      target: fmt(s.target),
      verdict: fmt(s.verdict),
    });
  }
}

console.log('\n== summary (ratios are figure / baseline, both measured in this run; verdicts only where a target exists)');
const columns = ['bench', 'figure', 'value', 'baseline', 'ratio', 'target', 'verdict'];
const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => [...r[c]].length)));
const line = (cells) => cells.map((c, i) => c + ' '.repeat(widths[i] - [...c].length)).join('  ');
console.log(line(columns));
console.log(line(widths.map((w) => '-'.repeat(w))));
for (const r of rows) console.log(line(columns.map((c) => r[c])));
console.log(`\nbench times: ${results.map((r) => `${r.file} ${r.seconds} s`).join(', ')}; total ${Math.round((performance.now() - started) / 1000)} s`);
if (buildWarning) console.log(`!! ${buildWarning}`);
const missed = rows.filter((r) => r.verdict === 'MISS').length;
if (missed) console.log(`${missed} target(s) missed (reported, not a failure)`);
process.exitCode = failed ? 1 : 0;
