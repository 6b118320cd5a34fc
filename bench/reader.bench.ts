/**
 * Card readers, with baselines measured in the same run:
 * 1. stx-bcc frame decoder throughput (MB/s) on fuzz streams and on clean frames, against a plain Buffer copy of the
 *    same chunks;
 * 2. bridge mode's added latency per request/response exchange (p50/p99), against the same client talking to the same
 *    emulator over a direct socat pair. Emulator and bridge run in their own processes (this file re-executed), as
 *    the reader and the isolated check do on a terminal; the client opens its port with serialport, as an app would;
 * 3. the cost of one reader check run (in process, and through the isolated child's IPC against a trivial isolated
 *    check), and of the /proc scan that tells "in use by the settlement software";
 * 4. unplug → fault raised and replug → fault resolved, through the built agent (dist/, `guardpost run`) with
 *    intervalSeconds 1, for serial-probe, serial-bridge and usb, read from the agent's local API every 10 ms.
 * Run: node --import tsx bench/reader.bench.ts   (a table, then one line "BENCH_JSON {...}")
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ReaderClient } from '../firmware-bridge/client/reader-client.js';
import { FrameDecoder } from '../firmware-bridge/codec/frame-decoder.js';
import { FuzzInputs } from '../firmware-bridge/codec/fuzz-inputs.js';
import { socatDevicePort, ttyPathPort } from '../firmware-bridge/emulator/emulator-port.js';
import { ReaderEmulator } from '../firmware-bridge/emulator/reader-emulator.js';
import { SerialBridge } from '../firmware-bridge/bridge/serial-bridge.js';
import { stxBccProfile as p } from '../firmware-bridge/profiles/stx-bcc.js';
import { portUsers } from '../firmware-bridge/serial/port-users.js';
import { openSerialPort } from '../firmware-bridge/serial/serial-open.js';
import { openSerialDevice } from '../firmware-bridge/serial/serial-tty.js';
import { startSocatPair } from '../firmware-bridge/transport/socat-pair.js';
import { plugFakeUsb, unplugFakeUsb } from '../firmware-bridge/usb/test-support/fake-sysfs.js';
import { percentile, printBenchJson, round, sleep, type SummaryRow } from './support/bench-util.js';

const self = fileURLToPath(import.meta.url);
const role = process.argv[2];

// ── child roles: the emulator and the bridge, each in its own process ───────────────────────────────────────────────
if (role === '--emulator') {
  const emulator = new ReaderEmulator({ profile: p, port: ttyPathPort(process.argv[3]!) });
  await emulator.plug();
  console.log('ready');
  process.on('SIGTERM', () => void emulator.unplug().then(() => process.exit(0)));
} else if (role === '--bridge') {
  const [devicePath, linkPath] = [process.argv[3]!, process.argv[4]!];
  const bridge = new SerialBridge({
    profile: p,
    devicePath,
    openDevice: () => openSerialDevice(devicePath, p.serialDefaults),
    app: { linkPath },
    idleProbeMs: 30_000,
    probeTimeoutMs: 1000,
    probeRetries: 1,
    responseTimeoutMs: 1000,
    portUsers: null,
  });
  await bridge.start();
  console.log('ready');
  process.on('SIGTERM', () => void bridge.close().then(() => process.exit(0)));
} else {
  await main();
}

async function child(args: string[]): Promise<ChildProcess> {
  const c = spawn(process.execPath, ['--import', 'tsx', self, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: c.stdout! }).on('line', (l) => l === 'ready' && resolve());
    c.once('exit', (code) => reject(new Error(`${args[0]} child exited ${code}`)));
  });
  return c;
}

async function stopChild(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null) return;
  const exited = new Promise((resolve) => c.once('exit', resolve));
  c.kill('SIGTERM');
  await exited;
}

// ── 1. decoder throughput ───────────────────────────────────────────────────────────────────────────────────────────
function decoderThroughput() {
  const fuzz = new FuzzInputs(p, 20260302);
  const build = (next: () => Buffer, bytes: number) => {
    const parts: Buffer[] = [];
    let total = 0;
    while (total < bytes) total += parts[parts.push(next()) - 1]!.length;
    const all = Buffer.concat(parts);
    // 256-byte chunks: a serial driver hands over a few hundred bytes at a time at most.
    const chunks: Buffer[] = [];
    for (let i = 0; i < all.length; i += 256) chunks.push(all.subarray(i, i + 256));
    return { bytes: all.length, chunks };
  };
  const streams = {
    fuzz: build(() => fuzz.stream('response', 16).bytes, 16 * 1024 * 1024),
    clean: build(() => fuzz.validFrame('response'), 16 * 1024 * 1024),
  };
  const mbps = (bytes: number, ms: number) => round(bytes / 1048576 / (ms / 1000), 1);
  const time = (fn: () => void) => {
    const samples: number[] = [];
    for (let r = 0; r < 5; r++) {
      const t = performance.now();
      fn();
      samples.push(performance.now() - t);
    }
    return percentile(samples, 50);
  };
  const out: Record<string, { decoderMBps: number; copyMBps: number; ratio: number; frames: number }> = {};
  for (const [name, s] of Object.entries(streams)) {
    let frames = 0;
    const decodeMs = time(() => {
      const d = new FrameDecoder(p.responseFraming, { onFrame: () => frames++ });
      for (const c of s.chunks) d.push(c);
      d.flush();
    });
    const sink = Buffer.allocUnsafe(s.bytes);
    const copyMs = time(() => {
      let at = 0;
      for (const c of s.chunks) at += c.copy(sink, at);
    });
    out[name] = { decoderMBps: mbps(s.bytes, decodeMs), copyMBps: mbps(s.bytes, copyMs), ratio: round(copyMs / decodeMs, 3), frames: frames / 5 };
  }
  return out;
}

// ── 2. bridge latency ──────────────────────────────────────────────────────────────────────────────────────────────
async function exchanges(path: string, n: number): Promise<number[]> {
  const client = new ReaderClient(await openSerialPort(path, p.serialDefaults), p, { timeoutMs: 1000, retries: 0 });
  for (let i = 0; i < 100; i++) await client.status(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await client.status();
    samples.push(performance.now() - t);
  }
  await client.close();
  return samples;
}

async function bridgeLatency(dir: string, n: number) {
  const pair = await startSocatPair(join(dir, 'ttyA'), join(dir, 'ttyB'));
  const emulator = await child(['--emulator', pair.pathB]);
  const direct: number[] = [];
  const bridged: number[] = [];
  try {
    for (let round = 0; round < 3; round++) {
      direct.push(...(await exchanges(pair.pathA, n)));
      const bridge = await child(['--bridge', pair.pathA, join(dir, 'reader0')]);
      bridged.push(...(await exchanges(join(dir, 'reader0'), n)));
      await stopChild(bridge);
    }
  } finally {
    await stopChild(emulator);
    await pair.stop();
  }
  const stat = (s: number[]) => ({ p50: round(percentile(s, 50), 3), p99: round(percentile(s, 99), 3), max: round(Math.max(...s), 3) });
  const d = stat(direct);
  const b = stat(bridged);
  return { n: direct.length, direct: d, bridge: b, addedP50: round(b.p50 - d.p50, 3), addedP99: round(b.p99 - d.p99, 3) };
}

// ── 3. per-run cost ────────────────────────────────────────────────────────────────────────────────────────────────
async function runCost(dir: string) {
  const { plugin } = await import('../agent/checks/reader/index.js');
  const { checkConfigWithDefaults } = await import('../agent/core/config/check-config.js');
  const { testContext, memoryState } = await import('../agent/checks/shared/testing.js');
  const { IsolatedProbeHost } = await import('../agent/core/isolation/isolated-probe-host.js');
  const sysfs = join(dir, 'sysfs');
  await plugFakeUsb(sysfs, { name: '1-1.2', idVendor: '257b', idProduct: '3031' });
  const emulator = new ReaderEmulator({ profile: p, port: socatDevicePort(join(dir, 'ttyUSB0')) });
  await emulator.plug();
  const configs = {
    usb: { mode: 'usb', usb: { ids: ['257b:3031'], sysfsRoot: sysfs } },
    'serial-probe': { mode: 'serial-probe', port: join(dir, 'ttyUSB0'), serial: { inUseCheck: 'lock' } },
    'serial-bridge': { mode: 'serial-bridge', port: join(dir, 'ttyUSB0'), serial: { inUseCheck: 'lock' }, bridge: { path: join(dir, 'reader0-probe-cost') } },
  };
  const inProcess: Record<string, number> = {};
  for (const [mode, cfg] of Object.entries(configs)) {
    const probe = plugin.createProbe(checkConfigWithDefaults(plugin, cfg), testContext());
    await probe.run(new AbortController().signal);
    const t = performance.now();
    for (let i = 0; i < 1000; i++) await probe.run(new AbortController().signal);
    inProcess[mode] = round(((performance.now() - t) / 1000) * 1000, 1); // µs per run
    await probe.close?.();
  }
  await emulator.unplug();
  const isolated = async (moduleUrl: string, config: unknown) => {
    const host = new IsolatedProbeHost({ checkId: 'bench', moduleUrl, config, state: memoryState() });
    await host.execute(new AbortController().signal); // child start-up, not counted
    const samples: number[] = [];
    for (let i = 0; i < 300; i++) {
      const t = performance.now();
      await host.execute(new AbortController().signal);
      samples.push(performance.now() - t);
    }
    await host.close(1000);
    return round(percentile(samples, 50), 3);
  };
  const readerUrl = new URL('../agent/checks/reader/index.ts', import.meta.url).href;
  const trivialUrl = new URL('../agent/core/isolation/test-fixtures/healthy.ts', import.meta.url).href;
  const isolatedReaderMs = await isolated(readerUrl, checkConfigWithDefaults(plugin, configs.usb));
  const isolatedTrivialMs = await isolated(trivialUrl, {});
  const scans: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    await portUsers('/dev/null');
    scans.push(performance.now() - t);
  }
  return { inProcessMicros: inProcess, isolatedReaderMs, isolatedTrivialMs, procScanMs: round(percentile(scans, 50), 2) };
}

// ── 4. unplug / replug through the built agent ─────────────────────────────────────────────────────────────────────
async function agentLatency(dir: string, cycles: number) {
  const bin = join(fileURLToPath(new URL('..', import.meta.url)), 'bin', 'guardpost.js');
  if (!existsSync(join(bin, '..', '..', 'dist', 'agent', 'checks', 'reader', 'index.js'))) return null;
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = s.address() as { port: number };
      s.close(() => resolve(free));
    });
  });
  const sysfs = join(dir, 'sysfs-agent');
  await plugFakeUsb(sysfs, { name: '1-1', idVendor: '257b', idProduct: '3031' });
  const probeEmu = new ReaderEmulator({ profile: p, port: socatDevicePort(join(dir, 'ttyUSB-probe')) });
  const bridgeEmu = new ReaderEmulator({ profile: p, port: socatDevicePort(join(dir, 'ttyUSB-bridge')) });
  await probeEmu.plug();
  await bridgeEmu.plug();
  const fast = { intervalSeconds: 1, jitterPercent: 0, raiseAfter: 1, clearAfter: 1, serial: { inUseCheck: 'lock' } };
  const config = {
    site: { fixmedins_code: 'P44010600123', fixmedins_name: 'bench', mdtrtarea_admvs: '440106', terminalId: 'BENCH' },
    checks: {
      'serial-probe': { type: 'reader', mode: 'serial-probe', port: join(dir, 'ttyUSB-probe'), ...fast },
      'serial-bridge': { type: 'reader', mode: 'serial-bridge', port: join(dir, 'ttyUSB-bridge'), bridge: { path: join(dir, 'reader0-agent') }, ...fast },
      usb: { type: 'reader', mode: 'usb', usb: { ids: ['257b:3031'], sysfsRoot: sysfs }, intervalSeconds: 1, jitterPercent: 0 },
    },
    web: { port },
    storage: { dir: join(dir, 'state') },
    logging: { file: join(dir, 'agent.log'), stdout: false },
  };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  const agent = spawn(process.execPath, [bin, 'run', '--config', join(dir, 'config.json')], { stdio: 'ignore' });
  type Status = { faults: { checkId: string; code: string }[]; checks: { id: string; last?: { reason: string }[] }[] };
  const status = async (): Promise<Status> => (await (await fetch(`http://127.0.0.1:${port}/api/status`)).json()) as Status;
  const until = async (cond: (s: Status) => boolean, ms = 15_000): Promise<number> => {
    const t = performance.now();
    while (performance.now() - t < ms) {
      if (cond(await status().catch(() => ({ faults: [], checks: [] })))) return performance.now() - t;
      await sleep(10);
    }
    return NaN;
  };
  const open = (id: string) => (s: Status) => s.faults.some((f) => f.checkId === id && f.code === 'READER_NOT_FOUND');
  const last = (id: string, reason: string) => (s: Status) => s.checks.find((c) => c.id === id)?.last?.[0]?.reason === reason;
  const out: Record<string, { raiseMs: number; resolveMs: number; notFoundMs: number[]; okMs: number[] }> = {};
  try {
    await until((s) => ['serial-probe', 'serial-bridge', 'usb'].every((id) => last(id, 'ok')(s)), 30_000);
    const devices: Record<string, { unplug(): Promise<unknown>; replug(): Promise<unknown> }> = {
      'serial-probe': probeEmu,
      'serial-bridge': bridgeEmu,
      usb: { unplug: () => unplugFakeUsb(sysfs, '1-1'), replug: () => plugFakeUsb(sysfs, { name: '1-1', idVendor: '257b', idProduct: '3031' }) },
    };
    for (const [id, device] of Object.entries(devices)) {
      const r = { raiseMs: NaN, resolveMs: NaN, notFoundMs: [] as number[], okMs: [] as number[] };
      for (let i = 0; i < cycles; i++) {
        await sleep(Math.random() * 1000); // unplug at a random point of the 1 s cycle
        await device.unplug();
        // The fault itself on the first cycle only: afterwards flap damping (by design) keeps it open longer, so
        // later cycles time what the check reports, which is what opens and resolves a fault that is not flapping.
        if (i === 0) r.raiseMs = await until(open(id));
        else r.notFoundMs.push(await until(last(id, 'not_found')));
        await sleep(Math.random() * 1000);
        await device.replug();
        if (i === 0) r.resolveMs = await until((s) => !open(id)(s));
        else r.okMs.push(await until(last(id, 'ok')));
      }
      out[id] = r;
    }
  } finally {
    agent.kill('SIGTERM');
    await new Promise((resolve) => agent.once('exit', resolve));
    await probeEmu.unplug();
    await bridgeEmu.unplug();
  }
  return out;
}

async function main(): Promise<void> {
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'gp-bench-reader-'));
  try {
    console.log(`Guardpost card readers, node ${process.version}`);
    const decoder = decoderThroughput();
    console.table(Object.entries(decoder).map(([stream, d]) => ({ stream: `${stream} (16 MiB, 256 B chunks)`, 'decoder MB/s': d.decoderMBps, 'Buffer copy MB/s': d.copyMBps, 'decoder / copy': d.ratio, frames: d.frames })));
    const latency = await bridgeLatency(dir, 1500);
    console.table([
      { path: 'direct socat pair', 'p50 ms': latency.direct.p50, 'p99 ms': latency.direct.p99, 'max ms': latency.direct.max },
      { path: 'through the bridge', 'p50 ms': latency.bridge.p50, 'p99 ms': latency.bridge.p99, 'max ms': latency.bridge.max },
      { path: 'added by the bridge', 'p50 ms': latency.addedP50, 'p99 ms': latency.addedP99, 'max ms': '' },
    ]);
    const cost = await runCost(dir);
    console.table([
      ...Object.entries(cost.inProcessMicros).map(([mode, us]) => ({ what: `${mode}: one run in process`, value: us, unit: 'µs' })),
      { what: 'reader (usb) run through the isolated child, p50', value: cost.isolatedReaderMs, unit: 'ms' },
      { what: 'trivial isolated check run, p50 (baseline)', value: cost.isolatedTrivialMs, unit: 'ms' },
      { what: '/proc scan for other users of a port, p50', value: cost.procScanMs, unit: 'ms' },
    ]);
    const agent = await agentLatency(dir, 4);
    if (agent) {
      console.table(
        Object.entries(agent).map(([mode, r]) => ({
          mode,
          'unplug → fault open ms': Math.round(r.raiseMs),
          'replug → fault resolved ms': Math.round(r.resolveMs),
          'later cycles: unplug → not_found ms': r.notFoundMs.map((x) => Math.round(x)).join(' '),
          'replug → ok ms': r.okMs.map((x) => Math.round(x)).join(' '),
        })),
      );
    } else console.log('dist/ has no reader check: run `npm run build` for the agent figures (npm run bench does)');
    console.log(`elapsed ${round((performance.now() - started) / 1000, 1)} s`);

    const worstRaise = agent ? Math.max(...Object.values(agent).flatMap((r) => [r.raiseMs, ...r.notFoundMs])) : NaN;
    const worstResolve = agent ? Math.max(...Object.values(agent).flatMap((r) => [r.resolveMs, ...r.okMs])) : NaN;
    const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS') as 'PASS' | 'MISS';
    const summary: SummaryRow[] = [
      { figure: 'reader: decoder throughput, fuzz stream', value: decoder.fuzz!.decoderMBps, unit: 'MB/s', baseline: decoder.fuzz!.copyMBps, ratio: decoder.fuzz!.ratio },
      { figure: 'reader: decoder throughput, clean frames', value: decoder.clean!.decoderMBps, unit: 'MB/s', baseline: decoder.clean!.copyMBps, ratio: decoder.clean!.ratio },
      { figure: 'reader: bridge added latency p50', value: latency.addedP50, unit: 'ms', baseline: latency.direct.p50 },
      { figure: 'reader: bridge added latency p99', value: latency.addedP99, unit: 'ms', baseline: latency.direct.p99, target: '≤ 2 ms', verdict: verdict(latency.addedP99 <= 2) },
      { figure: 'reader: isolated run p50', value: cost.isolatedReaderMs, unit: 'ms', baseline: cost.isolatedTrivialMs, ratio: round(cost.isolatedReaderMs / cost.isolatedTrivialMs, 2) },
      ...(agent
        ? [
            { figure: 'reader: unplug → fault/not_found (worst of 3 modes × 4)', value: Math.round(worstRaise), unit: 'ms', target: '≤ 2000 ms', verdict: verdict(worstRaise <= 2000) },
            { figure: 'reader: replug → resolved/ok (worst of 3 modes × 4)', value: Math.round(worstResolve), unit: 'ms', target: '≤ 2000 ms', verdict: verdict(worstResolve <= 2000) },
          ]
        : []),
    ];
    printBenchJson({ bench: 'reader', decoder, bridgeLatency: latency, runCost: cost, agent, summary });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
