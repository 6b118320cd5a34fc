/**
 * Settlement probes.
 * 1. Cost of one cycle (one run of a settlement check) over 10 endpoints on loopback (6 https with a CA-file chain,
 *    4 plain http, each a 2 KiB JSON answer), servers in a child process so only the probing side is measured:
 *    CPU ms per cycle (process.cpuUsage, user + system), bytes on the wire per cycle (counted by the servers), and the
 *    heap retained per cycle after forced GCs (a leak shows here). Baseline in the same run: the same 10 requests
 *    with node:https/node:http request() and the default agents disabled (one connection each, 4 at a time): what a
 *    minimal client costs without phase timing, verification afterwards, redirects, body rules, clock and certificates.
 *    Target: the check's CPU within 1.2× of that baseline.
 *    The same for one HTTPS endpoint probed alone, one probe after the other (blackbox_exporter's unit: one probe of
 *    one target), against one node:https request.
 * 1b. The TLS client context per trust setting: what building one costs (tls.createSecureContext with the system store,
 *    as each probe did before agent/net's CaStore kept one per setting) against taking the kept one.
 * 2. Agreement of the phase timings with curl's -w timings against the same local HTTPS server (20 ms processing,
 *    64 KiB body), alternating one probe and one curl run: median of each phase for both and their difference.
 *    curl: dns = time_namelookup, connect = time_connect − namelookup, tls = time_appconnect − connect,
 *    send = time_pretransfer − appconnect, firstByte = time_starttransfer − pretransfer, body = total − starttransfer.
 *    curl's pretransfer is taken before the request is written and Guardpost's send ends when it is flushed, so
 *    send/firstByte split differently by the time it takes to write a small request.
 * Run: node --import tsx bench/settlement.bench.ts   (prints tables, then one line "BENCH_JSON {...}")
 */
import { execFile, fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo, Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import tls from 'node:tls';
import { plugin } from '../agent/checks/settlement/index.js';
import type { SettlementConfig } from '../agent/checks/settlement/schema.js';
import { checkConfigWithDefaults } from '../agent/core/config/check-config.js';
import { CaStore } from '../agent/net/index.js';
import { currentPlatform } from '../agent/platform/index.js';
import { makeTestPki } from '../tests/settlement/support/pki.js';
import { cpuMicros, median, printBenchJson, round, type SummaryRow } from './support/bench-util.js';

const WARMUP = 10;
const CYCLES = 150;
const ROUNDS = 3;
const AGREEMENT_RUNS = 40;
const SINGLE_PROBES = 200;
const CONTEXT_BUILDS = 10;
const CPU_RATIO_TARGET = 1.2;
const SMALL_BODY = 2048;
const BIG_BODY = 64 * 1024;
const PROCESSING_MS = 20;

// ---- child: the servers ------------------------------------------------------------------------------------------
if (process.argv[2] === '--serve') {
  const { cert, key } = JSON.parse(process.argv[3]!) as { cert: string; key: string };
  let wireBytes = 0;
  const count = (s: Socket) => s.once('close', () => (wireBytes += s.bytesRead + s.bytesWritten));
  const small = JSON.stringify({ infcode: 0, output: 'x'.repeat(SMALL_BODY - 30) });
  const big = Buffer.alloc(BIG_BODY, 'a');
  const answer = (req: http.IncomingMessage, res: http.ServerResponse) => {
    req.resume();
    if (req.url === '/big') return void setTimeout(() => res.writeHead(200, { 'Content-Type': 'application/octet-stream' }).end(big), PROCESSING_MS);
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(small);
  };
  const h = http.createServer(answer).on('connection', count);
  const s = https.createServer({ cert, key }, answer).on('connection', count);
  await Promise.all([h, s].map((srv) => new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve))));
  process.send!({ http: (h.address() as AddressInfo).port, https: (s.address() as AddressInfo).port });
  process.on('message', (m: string) => {
    if (m === 'bytes') process.send!({ bytes: wireBytes });
    if (m === 'exit') process.exit(0);
  });
} else {
  await main();
}

async function main(): Promise<void> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const started = performance.now();
  const pki = makeTestPki();
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--serve', JSON.stringify({ cert: pki.valid, key: pki.key })], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ports = await new Promise<{ http: number; https: number }>((resolve) => child.once('message', (m) => resolve(m as { http: number; https: number })));
  const ask = <T>(msg: string): Promise<T> => new Promise((resolve) => {
    child.once('message', (m) => resolve(m as T));
    child.send(msg);
  });
  const wireBytes = async (): Promise<number> => (await ask<{ bytes: number }>('bytes')).bytes;
  const settle = () => new Promise((r) => setTimeout(r, 30)); // let the servers see the last closes

  try {
    // ---- 1. cost per cycle -------------------------------------------------------------------------------------
    const trust = { mode: 'caFile', caFile: pki.caFile };
    const endpoints = [
      ...Array.from({ length: 6 }, (_, i) => ({ name: `https-${i}`, url: `https://localhost:${ports.https}/fsi/${i}`, trust, expectStatus: [200], bodyMatch: '"infcode":0' })),
      ...Array.from({ length: 4 }, (_, i) => ({ name: `http-${i}`, url: `http://localhost:${ports.http}/fsi/${i}`, expectStatus: [200], bodyMatch: '"infcode":0' })),
    ];
    const config: SettlementConfig = checkConfigWithDefaults(plugin, { endpoints, certificates: { anchors: [pki.caFile] } });
    const ctx = { checkId: 'settlement', platform: currentPlatform(), state: { get: () => undefined, set: () => {} }, now: () => new Date(), env: {} };
    const probe = plugin.createProbe(config, ctx as never);
    const signal = new AbortController().signal;

    const ca = readFileSync(pki.caFile);
    const bareOne = (u: string): Promise<void> =>
      new Promise((resolve, reject) => {
        const url = new URL(u);
        const mod = url.protocol === 'https:' ? https : http;
        const req = mod.request(url, { agent: false, ca, headers: { Connection: 'close' } }, (res) => {
          res.resume();
          res.on('end', resolve);
        });
        req.on('error', reject).end();
      });
    const bareCycle = async (): Promise<void> => {
      let next = 0;
      const worker = async () => {
        while (next < endpoints.length) await bareOne(endpoints[next++]!.url);
      };
      await Promise.all([worker(), worker(), worker(), worker()]);
    };

    let failures = 0;
    const probeCycle = async (): Promise<void> => {
      const results = await probe.run(signal);
      failures += results.filter((r) => r.status !== 'ok').length;
    };

    interface Cost {
      cpuMs: number;
      wallMs: number;
      wireBytes: number;
      heapBytes: number;
    }
    const measure = async (cycle: () => Promise<void>): Promise<Cost> => {
      for (let i = 0; i < WARMUP; i++) await cycle();
      await settle();
      gc();
      const heap0 = process.memoryUsage().heapUsed;
      const bytes0 = await wireBytes();
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < CYCLES; i++) await cycle();
      const cpu = cpuMicros(cpu0);
      const wall = performance.now() - t0;
      await settle();
      const bytes = (await wireBytes()) - bytes0;
      gc();
      const heap = process.memoryUsage().heapUsed - heap0;
      return { cpuMs: cpu / 1000 / CYCLES, wallMs: wall / CYCLES, wireBytes: bytes / CYCLES, heapBytes: heap / CYCLES };
    };

    const ours: Cost[] = [];
    const bare: Cost[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      ours.push(await measure(probeCycle));
      bare.push(await measure(bareCycle));
    }
    const med = (xs: Cost[], k: keyof Cost) => median(xs.map((x) => x[k]));
    const cost = {
      cpuMsPerCycle: round(med(ours, 'cpuMs'), 3),
      bareCpuMsPerCycle: round(med(bare, 'cpuMs'), 3),
      wallMsPerCycle: round(med(ours, 'wallMs'), 2),
      bareWallMsPerCycle: round(med(bare, 'wallMs'), 2),
      wireBytesPerCycle: Math.round(med(ours, 'wireBytes')),
      bareWireBytesPerCycle: Math.round(med(bare, 'wireBytes')),
      retainedHeapBytesPerCycle: Math.round(med(ours, 'heapBytes')),
      bareRetainedHeapBytesPerCycle: Math.round(med(bare, 'heapBytes')),
      failedResults: failures,
    };
    console.log(`Settlement probes: one cycle = one run of a check with 10 endpoints on loopback (6 https, 4 http), median of ${ROUNDS} rounds × ${CYCLES} cycles, node ${process.version}`);
    console.table([
      { what: 'settlement check run (phases, verification, body rules, clock, certificates)', 'CPU ms/cycle': cost.cpuMsPerCycle, 'wall ms/cycle': cost.wallMsPerCycle, 'wire B/cycle': cost.wireBytesPerCycle, 'retained heap B/cycle': cost.retainedHeapBytesPerCycle },
      { what: 'baseline: node:http(s).request, same 10 URLs, 4 at a time', 'CPU ms/cycle': cost.bareCpuMsPerCycle, 'wall ms/cycle': cost.bareWallMsPerCycle, 'wire B/cycle': cost.bareWireBytesPerCycle, 'retained heap B/cycle': cost.bareRetainedHeapBytesPerCycle },
    ]);
    const perDayS = round((cost.cpuMsPerCycle * 1440) / 1000, 2);
    console.log(`at the default 60 s interval: ≈ ${perDayS} s CPU per day for 10 endpoints; ${round((cost.wireBytesPerCycle * 1440) / 1048576, 1)} MiB per day on the line`);
    console.log(`failed results during the cycles: ${failures} (none expected)`);

    // ---- 1 (one endpoint): one HTTPS probe at a time against one node:https request ------------------------------
    const lone = plugin.createProbe(checkConfigWithDefaults(plugin, { endpoints: [endpoints[0]!], certificates: { anchors: [pki.caFile] } }), ctx as never);
    const perProbe = async (one: () => Promise<void>): Promise<number> => {
      for (let i = 0; i < WARMUP; i++) await one();
      const cpu0 = process.cpuUsage();
      for (let i = 0; i < SINGLE_PROBES; i++) await one();
      return cpuMicros(cpu0) / 1000 / SINGLE_PROBES;
    };
    const loneOurs: number[] = [];
    const loneBare: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      loneOurs.push(await perProbe(async () => {
        const bad = (await lone.run(signal)).find((x) => x.status !== 'ok');
        if (bad) throw new Error(`probe failed: ${bad.subject} ${bad.reason}`);
      }));
      loneBare.push(await perProbe(() => bareOne(endpoints[0]!.url)));
    }
    const alone = { cpuMsPerProbe: round(median(loneOurs), 3), bareCpuMsPerProbe: round(median(loneBare), 3) };
    console.log(`\none HTTPS endpoint probed alone, median of ${ROUNDS} rounds × ${SINGLE_PROBES} probes:`);
    console.table([
      { what: 'settlement check run, 1 https endpoint (with its certificates and the clock)', 'CPU ms/probe': alone.cpuMsPerProbe },
      { what: 'baseline: one node:https.request', 'CPU ms/probe': alone.bareCpuMsPerProbe },
    ]);

    // ---- 1b. the TLS context per trust setting -------------------------------------------------------------------
    const cas = new CaStore();
    const systemTrust = { mode: 'system' as const, caFile: '', pins: [], serverName: '' };
    const systemCa = cas.caFor(systemTrust, 'bench');
    const contextCpu = (build: () => unknown, n: number): number => {
      build();
      const cpu0 = process.cpuUsage();
      for (let i = 0; i < n; i++) build();
      return cpuMicros(cpu0) / 1000 / n;
    };
    const contexts = {
      builtMs: round(contextCpu(() => tls.createSecureContext({ ca: systemCa }), CONTEXT_BUILDS), 3),
      keptMs: round(contextCpu(() => cas.contextFor(systemTrust, 'bench'), 1000), 4),
      systemCertificates: [systemCa ?? []].flat().reduce((n, pem) => n + pem.split('-----BEGIN CERTIFICATE-----').length - 1, 0),
    };
    console.log(`\nTLS client context for trust "system" (${contexts.systemCertificates} certificates: Node's roots and the OS bundle), CPU ms per probe:`);
    console.table([
      { what: 'kept per trust setting (CaStore.contextFor)', 'CPU ms': contexts.keptMs },
      { what: 'built per probe (tls.createSecureContext)', 'CPU ms': contexts.builtMs },
    ]);

    // ---- 2. agreement with curl -w ---------------------------------------------------------------------------
    const url = `https://localhost:${ports.https}/big`;
    const one = checkConfigWithDefaults(plugin, { endpoints: [{ name: 'big', url, trust, expectStatus: [200], checkCertificates: false, clockReference: false }] });
    const single = plugin.createProbe(one, ctx as never);
    const PHASES = ['dns', 'connect', 'tls', 'send', 'firstByte', 'body'] as const;
    const curlFormat = '%{time_namelookup} %{time_connect} %{time_appconnect} %{time_pretransfer} %{time_starttransfer} %{time_total}';
    const curlOnce = (): Promise<Record<string, number>> =>
      new Promise((resolve, reject) => {
        execFile('curl', ['-s', '-o', '/dev/null', '--http1.1', '--noproxy', '*', '--cacert', pki.caFile, '-H', 'Connection: close', '-w', curlFormat, url], (err, out) => {
          if (err) return reject(err);
          const [n, c, a, p, s, t] = out.trim().split(' ').map((x) => Number(x) * 1000) as [number, number, number, number, number, number];
          resolve({ dns: n, connect: c - n, tls: a - c, send: p - a, firstByte: s - p, body: t - s, total: t });
        });
      });
    const ourRuns: Record<string, number>[] = [];
    const curlRuns: Record<string, number>[] = [];
    let curlMissing = false;
    try {
      await curlOnce();
    } catch {
      curlMissing = true;
    }
    if (!curlMissing) {
      for (let i = 0; i < AGREEMENT_RUNS; i++) {
        const [r] = await single.run(signal);
        if (r!.status !== 'ok') throw new Error(`probe failed: ${r!.reason}`);
        ourRuns.push({ ...r!.phases!, total: r!.durationMs });
        curlRuns.push(await curlOnce());
      }
    }
    const agreement = [...PHASES, 'total' as const].map((phase) => {
      const g = median(ourRuns.map((x) => x[phase] ?? 0));
      const c = median(curlRuns.map((x) => x[phase] ?? 0));
      return { phase, guardpostMs: round(g, 3), curlMs: round(c, 3), differenceMs: round(g - c, 3) };
    });
    if (curlMissing) console.log('curl is not installed (scripts/setup-system.sh test installs it): agreement not measured');
    else {
      console.log(`\nphase timings against curl -w, ${AGREEMENT_RUNS} alternating runs each, https://localhost (${PROCESSING_MS} ms processing, ${BIG_BODY / 1024} KiB body), medians:`);
      console.table(agreement);
    }
    console.log(`elapsed ${round((performance.now() - started) / 1000, 1)} s`);

    const TARGET_MS = 5;
    const cpuRow = (figure: string, value: number, baseline: number): SummaryRow => {
      const ratio = round(value / baseline);
      return { figure, value, unit: 'ms', baseline, ratio, target: `≤ ${CPU_RATIO_TARGET}× node:http(s)`, verdict: ratio <= CPU_RATIO_TARGET ? 'PASS' : 'MISS' };
    };
    const summary: SummaryRow[] = [
      cpuRow('settlement: CPU per cycle, 10 endpoints', cost.cpuMsPerCycle, cost.bareCpuMsPerCycle),
      cpuRow('settlement: CPU per HTTPS probe, one endpoint', alone.cpuMsPerProbe, alone.bareCpuMsPerProbe),
      { figure: 'settlement: TLS context per probe, trust system (kept; baseline: built per probe)', value: contexts.keptMs, unit: 'ms', baseline: contexts.builtMs },
      { figure: 'settlement: wire bytes per cycle, 10 endpoints', value: cost.wireBytesPerCycle, unit: 'B', baseline: cost.bareWireBytesPerCycle, ratio: round(cost.wireBytesPerCycle / cost.bareWireBytesPerCycle) },
      { figure: 'settlement: retained heap per cycle', value: cost.retainedHeapBytesPerCycle, unit: 'B', baseline: cost.bareRetainedHeapBytesPerCycle },
      ...(curlMissing
        ? []
        : agreement.map((a) => {
            const ok = Math.abs(a.differenceMs) <= TARGET_MS;
            return { figure: `settlement: ${a.phase} median − curl`, value: a.differenceMs, unit: 'ms', baseline: a.curlMs, target: `|Δ| ≤ ${TARGET_MS} ms`, verdict: ok ? ('PASS' as const) : ('MISS' as const) };
          })),
    ];
    printBenchJson({ bench: 'settlement', endpoints: endpoints.length, cycles: CYCLES, rounds: ROUNDS, cost, alone, contexts, agreement, agreementRuns: curlMissing ? 0 : AGREEMENT_RUNS, summary });
  } finally {
    child.send('exit');
  }
}
