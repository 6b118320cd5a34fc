import { existsSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ReaderClient } from '../../../firmware-bridge/client/reader-client.js';
import { socatDevicePort } from '../../../firmware-bridge/emulator/emulator-port.js';
import { ReaderEmulator } from '../../../firmware-bridge/emulator/reader-emulator.js';
import { stxBccProfile as p } from '../../../firmware-bridge/profiles/stx-bcc.js';
import { openTtyPort } from '../../../firmware-bridge/transport/tty-port.js';
import type { Probe } from '../../core/checks/plugin.js';
import type { ProbeResult } from '../../core/checks/result.js';
import { checkConfigWithDefaults } from '../../core/config/check-config.js';
import { memoryState, neverAborted, testContext } from '../shared/testing.js';
import { plugin } from './index.js';
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
    expect(first).toMatchObject([{ status: 'ok', evidence: { ptyPath, deviceState: 'open', present: true, firmwareVersion: null } }]);
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
    expect(await run()).toMatchObject([{ reason: 'link_errors', evidence: { noResponse: false, exchangesInWindow: 5, errorsInWindow: 2 } }]);
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
    while (reasons(results)[0] !== 'ok' && Date.now() < deadline + 2000) results = await sleep(10).then(run);
    expect(results).toMatchObject([{ reason: 'ok', evidence: { deviceState: 'open', reopens: 1 } }]);
    expect((await app.status()).attempts).toBe(1);
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
