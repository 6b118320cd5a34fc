import { spawn } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { socatDevicePort, ttyPathPort } from '../../../firmware-bridge/emulator/emulator-port.js';
import { ReaderEmulator } from '../../../firmware-bridge/emulator/reader-emulator.js';
import { stxBccProfile } from '../../../firmware-bridge/profiles/stx-bcc.js';
import { portUsers } from '../../../firmware-bridge/serial/port-users.js';
import { openSerialPort } from '../../../firmware-bridge/serial/serial-open.js';
import { startSocatPair } from '../../../firmware-bridge/transport/socat-pair.js';
import type { Probe } from '../../core/checks/plugin.js';
import type { ProbeResult } from '../../core/checks/result.js';
import { checkConfigWithDefaults } from '../../core/config/check-config.js';
import { neverAborted, testContext } from '../shared/testing.js';
import { plugin } from './index.js';
import { SerialProbeMonitor } from './monitors/serial-probe-monitor.js';
import { readerResults } from './observation.js';
import { resolveReaderConfig, type ReaderConfig } from './schema.js';
import { stopwatch } from '../shared/result.js';
import { scratchDir, socatOrFailUnderCi } from '../../../firmware-bridge/test-support/socat-suite.js';

const haveSocat = socatOrFailUnderCi();

const scratch = scratchDir('gp-reader-probe-');
const { cleanups } = scratch;

let n = 0;
async function usbSerialReader(firmwareVersion = 'EMU-1.0.0') {
  const device = socatDevicePort(path.join(scratch.dir(), `ttyUSB${++n}`));
  const emulator = new ReaderEmulator({ profile: stxBccProfile, port: device, firmwareVersion });
  await emulator.plug();
  cleanups.push(() => emulator.unplug());
  return { emulator, port: device.devicePath };
}

const reasons = (results: ProbeResult[]) => results.map((r) => r.reason);

/** The monitor on its own, probing fast (the schema's 5 s floor is for real readers, not for tests). */
function fastMonitor(port: string, overrides: Record<string, unknown> = {}, monitorOptions: Partial<ConstructorParameters<typeof SerialProbeMonitor>[0]> = {}) {
  const c = resolveReaderConfig(
    checkConfigWithDefaults(plugin, {
      mode: 'serial-probe',
      port,
      serial: { inUseCheck: 'lock' },
      responseTimeoutMs: 150,
      retries: 1,
      linkErrors: { minExchanges: 4, maxErrorRate: 0.2 },
      ...overrides,
    }) as ReaderConfig,
  );
  c.probeIntervalSeconds = 0.05;
  const monitor = new SerialProbeMonitor({ config: c, profile: stxBccProfile, ...monitorOptions });
  cleanups.push(() => monitor.close());
  const done = stopwatch(() => new Date());
  return {
    monitor,
    async results(): Promise<ProbeResult[]> {
      return readerResults(await monitor.observe(), c, port, 0, done);
    },
  };
}

async function eventually(what: string, run: () => Promise<ProbeResult[]>, accept: (r: ProbeResult[]) => boolean, ms = 5000): Promise<ProbeResult[]> {
  const deadline = Date.now() + ms;
  let last: ProbeResult[] = [];
  while (Date.now() < deadline) {
    last = await run();
    if (accept(last)) return last;
    await sleep(25);
  }
  throw new Error(`${what}: last results ${JSON.stringify(last.map((r) => [r.reason, r.evidence]))}`);
}

describe.runIf(haveSocat)('reader check, serial-probe mode, through the plugin', () => {
  it('probes status and version, sees an unplugged USB-serial reader at the next run, and a replugged one at once', async () => {
    const { emulator, port } = await usbSerialReader('D8-V3.20');
    const cfg = checkConfigWithDefaults(plugin, { mode: 'serial-probe', port, name: '1号窗口', serial: { inUseCheck: 'lock' }, responseTimeoutMs: 300 });
    const probe: Probe = plugin.createProbe(cfg, testContext());
    cleanups.push(() => probe.close?.());
    const [first] = await probe.run(neverAborted);
    expect(first).toMatchObject({
      status: 'ok',
      subject: '1号窗口',
      labels: { mode: 'serial-probe', reader: '1号窗口' },
      evidence: { present: true, firmwareVersion: 'D8-V3.20', hardwareFault: false, noResponse: false, probes: 1, cardReadsToday: 0 },
    });
    expect(emulator.snapshot().counters.requests).toBe(2); // status and version, nothing else

    await emulator.unplug();
    const [gone] = await probe.run(neverAborted);
    expect(gone).toMatchObject({ status: 'fail', reason: 'not_found', evidence: { present: false, firmwareVersion: null } });
    expect(plugin.rules(gone!, cfg)).toEqual({ code: 'READER_NOT_FOUND', severity: 'critical' });

    await emulator.replug();
    expect(reasons(await probe.run(neverAborted))).toEqual(['ok']);
    await eventually('re-probed after replug', () => probe.run(neverAborted), (r) => r[0]!.evidence.firmwareVersion === 'D8-V3.20');
  });
});

describe.runIf(haveSocat)('serial-probe monitor against the emulator', () => {
  it('reports a hardware fault flag and a firmware version outside the allowed list', async () => {
    const { emulator, port } = await usbSerialReader('EMU-0.9');
    const m = fastMonitor(port, { allowedFirmware: ['EMU-1.0.0'] });
    await m.monitor.start();
    expect(reasons(await eventually('mismatch', m.results, (r) => reasons(r).includes('firmware_mismatch')))).toEqual(['firmware_mismatch']);
    emulator.setHardwareFault(true);
    await eventually('hardware fault', m.results, (r) => reasons(r).includes('hardware_fault'));
    emulator.setHardwareFault(false);
    emulator.setFirmwareVersion('EMU-1.0.0');
    await eventually('healthy again', m.results, (r) => reasons(r).join() === 'ok');
  });

  it('raises no response for a silent reader, and clears it when it answers again', async () => {
    const { emulator, port } = await usbSerialReader();
    const m = fastMonitor(port);
    await m.monitor.start();
    await eventually('ok', m.results, (r) => reasons(r).join() === 'ok');
    emulator.injectFaults({ noResponse: true });
    const silent = await eventually('no response', m.results, (r) => reasons(r).includes('no_response'));
    expect(reasons(silent)).toEqual(['no_response']); // link errors are implied, not piled on
    emulator.clearFaults();
    await eventually('answers again', m.results, (r) => reasons(r).join() === 'ok');
  });

  it('counts garbage before every (valid, first-try) reply as line noise, not as failed exchanges', async () => {
    const { emulator, port } = await usbSerialReader();
    const m = fastMonitor(port);
    emulator.injectFaults({ garbage: true });
    await m.monitor.start();
    const [r] = await eventually('enough exchanges', m.results, (rs) => Number(rs[0]!.evidence.exchangesInWindow) >= 6);
    expect(r).toMatchObject({ status: 'ok', reason: 'ok', evidence: { failedInWindow: 0, errorRate: 0 } });
    // Every exchange carried one 6-byte garbage sequence (the emulator's default noise), counted on its own.
    expect(r!.evidence.noiseInWindow).toBe(r!.evidence.exchangesInWindow);
    expect(r!.evidence.noiseBytesInWindow).toBe(6 * Number(r!.evidence.exchangesInWindow));
  });

  for (const [what, faults] of [
    ['a bad BCC on every other reply', { badChecksum: 1 }],
    ['replies slower than the timeout (answered on the retry)', { delayMs: 200 }],
  ] as const) {
    it(`counts ${what} as link errors while the reader still answers`, async () => {
      const { emulator, port } = await usbSerialReader();
      const m = fastMonitor(port);
      emulator.injectFaults(faults);
      // Re-arm the one-shot fault after every second reply: each request's first reply is bad, its retry good.
      let replies = 0;
      if ('badChecksum' in faults) emulator.on('reply', () => ++replies % 2 === 0 && emulator.injectFaults({ badChecksum: 1 }));
      await m.monitor.start();
      const results = await eventually('link errors', m.results, (r) => reasons(r).includes('link_errors'), 8000);
      expect(reasons(results)).toEqual(['link_errors']);
      expect(results[0]!.evidence).toMatchObject({ noResponse: false });
      expect(results[0]!.evidence.errorRate).toBeGreaterThan(0.2);
    });
  }

  it('leaves a port alone while another program holds it: locked, or merely open', async () => {
    const { port } = await usbSerialReader();
    const holder = await openSerialPort(port, stxBccProfile.serialDefaults);
    const locked = fastMonitor(port);
    await locked.monitor.start();
    const [r] = await eventually('in use', locked.results, (rs) => rs[0]!.evidence.inUse === true);
    // Never observed: not fine, and it says so, for how long, and what would watch it.
    expect(r).toMatchObject({ status: 'fail', reason: 'not_observed', evidence: { inUseBy: 'another program (port locked)', observed: false, probes: 0 } });
    expect(r!.message.en).toMatch(/^reader .* not observed for \d+ s: its port is held by another program \(port locked\), so it cannot be probed; to watch a port the settlement software holds, use bridge mode \(mode: serial-bridge\)$/);
    await new Promise<void>((resolve) => holder.close(() => resolve()));

    // A program that opened the port without locking it: found in /proc, and the port is not even opened.
    const pair = await startSocatPair(path.join(scratch.dir(), 'held-a'), path.join(scratch.dir(), 'held-b'));
    cleanups.push(() => pair.stop());
    const emulator = new ReaderEmulator({ profile: stxBccProfile, port: ttyPathPort(pair.pathB) });
    await emulator.plug();
    cleanups.push(() => emulator.unplug());
    const sh = spawn('sh', ['-c', `exec 3<>"${pair.pathA}"; exec sleep 30`], { stdio: 'ignore' });
    cleanups.push(() => sh.kill('SIGTERM'));
    const others = (p: string) => portUsers(p, { excludePids: [process.pid, pair.pid] });
    const watched = fastMonitor(pair.pathA, { serial: { inUseCheck: 'processes' } }, { portUsers: others });
    await watched.monitor.start();
    const [held] = await eventually('held', watched.results, (rs) => rs[0]!.evidence.inUse === true);
    expect(held!.evidence.inUseBy).toMatch(/^sleep \(pid \d+\)$/);
    expect(held).toMatchObject({ status: 'fail', reason: 'not_observed' });
    expect(emulator.snapshot().counters.requests).toBe(0);
  });

  it('counts how long a busy port has kept the reader unobserved; READER_NOT_OBSERVED once that passes notObservedAfterSeconds', async () => {
    const { port } = await usbSerialReader();
    const holder = await openSerialPort(port, stxBccProfile.serialDefaults);
    cleanups.push(() => new Promise<void>((resolve) => holder.close(() => resolve())));
    let now = 0;
    const m = fastMonitor(port, {}, { now: () => now });
    await m.monitor.start();
    const [soon] = await eventually('in use', m.results, (rs) => rs[0]!.evidence.inUse === true);
    expect(soon).toMatchObject({ reason: 'not_observed', evidence: { notObservedSeconds: 0 } });
    now += 3_700_000;
    const [later] = await m.results();
    expect(later).toMatchObject({ reason: 'not_observed', evidence: { notObservedSeconds: 3700 } });
    expect(later!.message.en).toContain('not observed for 61 min');
    const cfg = { mode: 'serial-probe', port } as ReaderConfig;
    expect(plugin.rules(soon!, cfg)).toBeNull();
    expect(plugin.rules(later!, cfg)).toEqual({ code: 'READER_NOT_OBSERVED', severity: 'minor' });
  });
});

describe.runIf(haveSocat)('a reader that never answers', () => {
  /** A pty pair with a process on the far end that reads everything and never replies. */
  async function silentReader() {
    const pair = await startSocatPair(path.join(scratch.dir(), `silent-${++n}`), path.join(scratch.dir(), `silent-peer-${n}`));
    cleanups.push(() => pair.stop());
    const reader = spawn('sh', ['-c', `exec cat < "${pair.pathB}" > /dev/null`], { stdio: 'ignore' });
    cleanups.push(() => reader.kill('SIGKILL'));
    return pair.pathA;
  }

  it('is never reported fine: pending while its first probe runs, then no response (default timeouts)', async () => {
    const port = await silentReader();
    const cfg = checkConfigWithDefaults(plugin, { mode: 'serial-probe', port, serial: { inUseCheck: 'lock' } });
    const probe: Probe = plugin.createProbe(cfg, testContext());
    cleanups.push(() => probe.close?.());
    const started = Date.now();
    const seen: ProbeResult[] = [];
    for (;;) {
      const results = await probe.run(neverAborted);
      seen.push(...results);
      if (results.some((r) => r.reason === 'no_response') || Date.now() - started > 6000) break;
      await sleep(100);
    }
    expect(seen.filter((r) => r.status === 'ok')).toEqual([]);
    expect(seen[0]).toMatchObject({ status: 'fail', reason: 'pending', evidence: { probes: 0, observed: false } });
    expect(plugin.rules(seen[0]!, cfg)).toBeNull(); // no verdict is no fault either
    expect(seen.at(-1)).toMatchObject({ reason: 'no_response', evidence: { probes: 1, observed: true } });
    // 2 attempts of 1000 ms; each run waited for the probe only briefly, well inside the run's 0.8 s timeout.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    expect(Math.max(...seen.map((r) => r.durationMs))).toBeLessThan(500);
  });

  it('waits for the first probe when it can finish in time: a one-shot run gets the verdict itself', async () => {
    const port = await silentReader();
    const cfg = checkConfigWithDefaults(plugin, { mode: 'serial-probe', port, serial: { inUseCheck: 'lock' }, responseTimeoutMs: 50, retries: 0 });
    const probe: Probe = plugin.createProbe(cfg, testContext());
    cleanups.push(() => probe.close?.());
    expect(await probe.run(neverAborted)).toMatchObject([{ status: 'fail', reason: 'no_response', evidence: { probes: 1 } }]);
  });
});
