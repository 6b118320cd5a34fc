import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ReaderClient } from '../../../firmware-bridge/client/reader-client.js';
import { socatDevicePort } from '../../../firmware-bridge/emulator/emulator-port.js';
import { ReaderEmulator } from '../../../firmware-bridge/emulator/reader-emulator.js';
import { stxBccProfile as p } from '../../../firmware-bridge/profiles/stx-bcc.js';
import { portUsers } from '../../../firmware-bridge/serial/port-users.js';
import { startSocatPair } from '../../../firmware-bridge/transport/socat-pair.js';
import { openTtyPort } from '../../../firmware-bridge/transport/tty-port.js';
import type { Probe } from '../../core/checks/plugin.js';
import type { ProbeResult } from '../../core/checks/result.js';
import { checkConfigWithDefaults } from '../../core/config/check-config.js';
import { memoryState, neverAborted, testContext } from '../shared/testing.js';
import { plugin } from './index.js';
import { SerialBridgeMonitor } from './monitors/serial-bridge-monitor.js';
import { readerResults } from './observation.js';
import { resolveReaderConfig, type ReaderConfig } from './schema.js';
import { stopwatch } from '../shared/result.js';
import { scratchDir, socatOrFailUnderCi } from '../../../firmware-bridge/test-support/socat-suite.js';

const haveSocat = socatOrFailUnderCi();

const scratch = scratchDir('gp-reader-bridge-');
const { cleanups } = scratch;

const reasons = (results: ProbeResult[]) => results.map((r) => r.reason);

let n = 0;
async function bridged(settings: Record<string, unknown> = {}) {
  const device = socatDevicePort(path.join(scratch.dir(), `ttyUSB${++n}`));
  const emulator = new ReaderEmulator({ profile: p, port: device, firmwareVersion: 'D8-V3.20' });
  await emulator.plug();
  cleanups.push(() => emulator.unplug());
  const ptyPath = path.join(scratch.dir(), `run${n}`, 'reader0');
  await mkdir(path.dirname(ptyPath));
  const cfg = checkConfigWithDefaults(plugin, {
    mode: 'serial-bridge',
    port: device.devicePath,
    serial: { inUseCheck: 'lock' },
    responseTimeoutMs: 200,
    noResponseAfter: 2,
    ...settings,
    bridge: { path: ptyPath, idleProbeSeconds: 0, ...(settings.bridge as object | undefined) },
  });
  const state = memoryState();
  const probe: Probe = plugin.createProbe(cfg, testContext({ state }));
  cleanups.push(() => probe.close?.());
  const first = await probe.run(neverAborted);
  const app = new ReaderClient(await openTtyPort(ptyPath), p, { timeoutMs: 300, retries: 0 });
  cleanups.push(() => app.close());
  return { emulator, probe, app, first, ptyPath, state, run: () => probe.run(neverAborted) };
}

describe.runIf(haveSocat)('reader check, serial-bridge mode', () => {
  it('offers the settlement software a pty and learns the reader from its traffic alone (no own probes)', async () => {
    const { first, app, run, emulator, ptyPath, state } = await bridged({ allowedFirmware: ['D8-V3.20'] });
    // Nothing said anything about the reader yet, and no probe will: not observed, not fine.
    expect(first).toMatchObject([{ status: 'fail', reason: 'not_observed', evidence: { ptyPath, deviceState: 'open', present: true, observed: false, firmwareVersion: null } }]);
    expect(first[0]!.message.en).toContain('the bridge\'s own probes are off (bridge.idleProbeSeconds 0)');
    expect((await app.version()).value).toBe('D8-V3.20');
    expect((await app.status()).value.cardPresent).toBe(false);
    emulator.insertCard();
    expect((await app.status()).value.cardPresent).toBe(true);
    const [ok] = await run();
    expect(ok).toMatchObject({ status: 'ok', evidence: { firmwareVersion: 'D8-V3.20', appExchanges: 3, probes: 0, cardPresent: true, cardReadsToday: 1 } });
    expect(ok!.evidence.appLatencyP50Ms).toBeGreaterThan(0);
    expect(state.raw()).toMatchObject({ cards: { reads: 1 } });
  });

  it('raises a hardware fault and no response from the settlement software\'s exchanges, between probes', async () => {
    const { app, run, emulator } = await bridged();
    emulator.setHardwareFault(true);
    await app.status();
    expect(reasons(await run())).toEqual(['hardware_fault']);
    emulator.setHardwareFault(false);
    await app.status();
    expect(reasons(await run())).toEqual(['ok']);

    emulator.injectFaults({ noResponse: true });
    await expect(app.status()).rejects.toMatchObject({ code: 'no_response' });
    await sleep(50); // the bridge's own 200 ms timeout for that request
    expect(reasons(await run())).toEqual(['ok']); // one lost request is not a dead reader (1 of 3 is below minExchanges)
    await expect(app.status()).rejects.toMatchObject({ code: 'no_response' });
    await sleep(250);
    const [silent] = await run();
    expect(silent).toMatchObject({ reason: 'no_response', evidence: { appTimeouts: 2 } });
    emulator.clearFaults();
    await app.status();
    // It answers again; the two lost requests of five still count against the link in the window.
    expect(await run()).toMatchObject([{ reason: 'link_errors', evidence: { noResponse: false, exchangesInWindow: 5, failedInWindow: 2 } }]);
  });

  it('sees the reader unplugged at once, keeps the pty, and reopens the port when it is back', async () => {
    const { app, run, emulator, ptyPath } = await bridged();
    await emulator.unplug();
    const deadline = Date.now() + 2000;
    let results = await run();
    while (reasons(results)[0] !== 'not_found' && Date.now() < deadline) results = await sleep(10).then(run);
    expect(results).toMatchObject([{ reason: 'not_found', evidence: { present: false } }]);
    expect(existsSync(ptyPath)).toBe(true);
    await emulator.replug();
    while (results[0]!.evidence.deviceState !== 'open' && Date.now() < deadline + 2000) results = await sleep(10).then(run);
    // Back, but what the reader said before the unplug no longer holds, and with probes off nothing has asked it yet.
    expect(results).toMatchObject([{ reason: 'not_observed', evidence: { deviceState: 'open', reopens: 1 } }]);
    expect((await app.status()).attempts).toBe(1);
    expect(await run()).toMatchObject([{ reason: 'ok', evidence: { observed: true } }]);
  });

  it('is never fine before it has seen an exchange: pending until its first probe, which comes soon after the port opens', async () => {
    const { first, run } = await bridged({ bridge: { idleProbeSeconds: 30 } });
    const seen: ProbeResult[] = [...first];
    const deadline = Date.now() + 3000;
    while (seen.at(-1)!.status !== 'ok' && Date.now() < deadline) seen.push(...(await sleep(50).then(run)));
    expect(seen.filter((r) => r.status === 'ok' && r.evidence.probes === 0)).toEqual([]);
    expect(new Set(seen.slice(0, -1).map((r) => r.reason))).toEqual(new Set(seen.length > 1 ? ['pending'] : []));
    expect(seen.at(-1)).toMatchObject({ status: 'ok', evidence: { probes: 1, observed: true, firmwareVersion: 'D8-V3.20' } });
  });

  it('shows the real port still held by the settlement software as not observed, and where to point it', async () => {
    const pair = await startSocatPair(path.join(scratch.dir(), `held-${++n}`), path.join(scratch.dir(), `held-peer-${n}`));
    cleanups.push(() => pair.stop());
    const holder = spawn('sh', ['-c', `exec 3<>"${pair.pathA}"; exec sleep 30`], { stdio: 'ignore' });
    cleanups.push(() => holder.kill('SIGTERM'));
    const linkPath = path.join(scratch.dir(), `held-run${n}`);
    await mkdir(linkPath);
    const c = resolveReaderConfig(
      checkConfigWithDefaults(plugin, { mode: 'serial-bridge', port: pair.pathA, bridge: { path: path.join(linkPath, 'reader0') } }) as ReaderConfig,
    );
    const monitor = new SerialBridgeMonitor({ config: c, profile: p, portUsers: (device) => portUsers(device, { excludePids: [process.pid, pair.pid] }) });
    cleanups.push(() => monitor.close());
    await monitor.start();
    const done = stopwatch(() => new Date());
    const deadline = Date.now() + 3000;
    let results = readerResults(await monitor.observe(), c, 'r', 0, done);
    while (results[0]!.evidence.deviceState !== 'busy' && Date.now() < deadline) results = readerResults(await sleep(20).then(() => monitor.observe()), c, 'r', 0, done);
    expect(results).toMatchObject([{ status: 'fail', reason: 'not_observed', evidence: { inUse: true, observed: false } }]);
    expect(results[0]!.message.en).toMatch(/^reader r not observed for \d+ s: the settlement software still uses the real port \(sleep \(pid \d+\)\); point it at the bridge's .*reader0$/);
  });

  it('probes an idle line itself when asked to', async () => {
    const { run } = await bridged({ bridge: { idleProbeSeconds: 0.05 } });
    const deadline = Date.now() + 3000;
    let results = await run();
    while (results[0]!.evidence.firmwareVersion !== 'D8-V3.20' && Date.now() < deadline) results = await sleep(20).then(run);
    expect(results[0]).toMatchObject({ status: 'ok', evidence: { firmwareVersion: 'D8-V3.20', hardwareFault: false } });
    expect(results[0]!.evidence.probes).toBeGreaterThanOrEqual(1);
  });
});
