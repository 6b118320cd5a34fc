import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPcscdHarness, pcscUnavailableReason, type PcscdHarness } from '../../../firmware-bridge/pcsc/test-support/pcscd-harness.js';
import type { Probe } from '../../core/checks/plugin.js';
import type { ProbeResult } from '../../core/checks/result.js';
import { checkConfigWithDefaults } from '../../core/config/check-config.js';
import { memoryState, neverAborted, testContext } from '../shared/testing.js';
import { plugin } from './index.js';

const unavailable = pcscUnavailableReason();
it.runIf(unavailable !== null && process.env.CI === 'true')('pcscd + vsmartcard are available', () => {
  expect(unavailable).toBeNull();
});

async function until(probe: Probe, accept: (r: ProbeResult) => boolean, ms = 15_000): Promise<ProbeResult> {
  const deadline = Date.now() + ms;
  for (;;) {
    const [r] = await probe.run(neverAborted);
    if (accept(r!)) return r!;
    if (Date.now() > deadline) throw new Error(`gave up; last: ${JSON.stringify(r)}`);
    await sleep(50);
  }
}

describe.runIf(unavailable === null)('reader check, pcsc mode, against pcscd + vpcd + vicc', () => {
  let harness: PcscdHarness;
  let probe: Probe;
  let other: Probe;
  const state = memoryState();
  beforeAll(async () => {
    harness = await createPcscdHarness();
    const cfg = checkConfigWithDefaults(plugin, { mode: 'pcsc', name: '社保卡读卡器', pcsc: { readerName: harness.readerName, retrySeconds: 0.1 } });
    probe = plugin.createProbe(cfg, testContext({ state }));
    other = plugin.createProbe(checkConfigWithDefaults(plugin, { mode: 'pcsc', pcsc: { readerName: 'Decard', retrySeconds: 0.1 } }), testContext());
  });
  afterAll(async () => {
    await probe?.close?.();
    await other?.close?.();
    await harness?.close();
  });

  it('reports PCSC_SERVICE_DOWN while pcscd is not running, without crashing', async () => {
    const [r] = await probe.run(neverAborted);
    expect(r).toMatchObject({ status: 'fail', reason: 'pcsc_service_down', subject: '社保卡读卡器', evidence: { service: 'down', present: false } });
    expect(r!.message.en).toMatch(/SCARD_E_NO_SERVICE/);
    expect(plugin.rules(r!, {} as never)).toEqual({ code: 'PCSC_SERVICE_DOWN', severity: 'critical' });
  });

  it('finds the reader once pcscd is up; a reader name that matches nothing is not found', async () => {
    await harness.startDaemon();
    const r = await until(probe, (x) => x.status === 'ok');
    expect(r.evidence).toMatchObject({ service: 'up', readerName: harness.readerName, cardPresent: false, cardReadsToday: 0 });
    const missing = await until(other, (x) => x.reason !== 'pcsc_service_down');
    expect(missing).toMatchObject({ reason: 'not_found' });
    expect(missing.message.en).toContain(harness.readerName);
  });

  it('records a card inserted and removed as information: presence, ATR, reads today — never a fault', async () => {
    await harness.insertCard();
    const inserted = await until(probe, (x) => x.evidence.cardPresent === true);
    expect(inserted).toMatchObject({ status: 'ok', evidence: { cardReadsToday: 1 } });
    expect(inserted.evidence.atr).toMatch(/^3b[0-9a-f]+$/);
    await harness.removeCard();
    const removed = await until(probe, (x) => x.evidence.cardPresent === false);
    expect(removed).toMatchObject({ status: 'ok', evidence: { cardReadsToday: 1 } });
    expect(removed.evidence.atr).toBeUndefined();
    expect(state.raw()).toMatchObject({ cards: { reads: 1 } });
  });

  it('goes to PCSC_SERVICE_DOWN when pcscd stops and recovers by itself when it is back', async () => {
    await harness.stopDaemon();
    expect((await until(probe, (x) => x.reason === 'pcsc_service_down', 3000)).evidence.service).toBe('down');
    await harness.startDaemon();
    const back = await until(probe, (x) => x.status === 'ok', 5000);
    expect(back.evidence).toMatchObject({ serviceRecoveries: 1, cardReadsToday: 1 });
    expect(harness.commands()).not.toHaveProperty('CONNECT');
  });
});
