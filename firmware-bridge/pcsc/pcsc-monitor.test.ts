import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PcscMonitor, type PcscMonitorEvents } from './pcsc-monitor.js';
import { createPcscdHarness, pcscUnavailableReason, type PcscdHarness } from './test-support/pcscd-harness.js';

/*
 * Against the real pcscd (Debian 1.9.9) with vsmartcard's virtual reader and card. Skipped where they cannot run,
 * except under CI, where that must fail rather than pass silently.
 */
const unavailable = pcscUnavailableReason();
it.runIf(unavailable !== null && process.env.CI === 'true')('pcscd + vsmartcard are available', () => {
  expect(unavailable).toBeNull();
});

/** Resolves with the args of the first event that satisfies `match`, or rejects after `ms`. */
function nextEvent<K extends keyof PcscMonitorEvents>(
  monitor: PcscMonitor,
  name: K,
  match: (...args: PcscMonitorEvents[K]) => boolean = () => true,
  ms = 5000,
): Promise<PcscMonitorEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      monitor.off(name, listener as never);
      reject(new Error(`no ${String(name)} event within ${ms} ms`));
    }, ms);
    const listener = (...args: PcscMonitorEvents[K]) => {
      if (!match(...args)) return;
      clearTimeout(timer);
      monitor.off(name, listener as never);
      resolve(args);
    };
    monitor.on(name, listener as never);
  });
}

describe.runIf(unavailable === null)('PcscMonitor against pcscd + vpcd + vicc', () => {
  let harness: PcscdHarness;
  let monitor: PcscMonitor;

  beforeAll(async () => {
    harness = await createPcscdHarness();
  });
  afterAll(async () => {
    await monitor?.close();
    await harness?.close();
  });

  it('reports the service down without crashing when pcscd is not running, and picks it up when it starts', async () => {
    monitor = new PcscMonitor({ retryMs: 100 });
    await monitor.start();
    expect(monitor.snapshot()).toMatchObject({ service: 'down', readers: [] });
    expect(monitor.snapshot().serviceError).toMatch(/SCARD_E_NO_SERVICE/);
    const reader = nextEvent(monitor, 'reader', (change, name) => change === 'added' && name === harness.readerName);
    const up = nextEvent(monitor, 'service', (state) => state === 'up');
    await harness.startDaemon();
    await Promise.all([reader, up]);
    const snap = monitor.snapshot();
    expect(snap.service).toBe('up');
    expect(snap.readers.map((r) => r.name)).toContain(harness.readerName);
    expect(snap.readers.find((r) => r.name === harness.readerName)).toMatchObject({ cardPresent: false, atr: null, insertions: 0 });
  });

  it('follows a card inserted and removed, with its ATR and an insertion count', async () => {
    const inserted = nextEvent(monitor, 'card', (change, name) => change === 'inserted' && name === harness.readerName, 15_000);
    await harness.insertCard();
    const [, , atr] = await inserted;
    expect(atr).toMatch(/^3b[0-9a-f]+$/);
    const view = monitor.snapshot().readers.find((r) => r.name === harness.readerName)!;
    expect(view).toMatchObject({ cardPresent: true, atr, insertions: 1 });
    expect(view.flags).toContain('PRESENT');

    const removed = nextEvent(monitor, 'card', (change, name) => change === 'removed' && name === harness.readerName);
    await harness.removeCard();
    await removed;
    expect(monitor.snapshot().readers.find((r) => r.name === harness.readerName)).toMatchObject({ cardPresent: false, atr: null, insertions: 1 });
  });

  it('reports pcscd stopping at once, and recovers by itself when it is started again', async () => {
    const down = nextEvent(monitor, 'service', (state) => state === 'down');
    await harness.stopDaemon();
    const [, error] = await down;
    expect(error).toMatch(/SCARD_F_COMM_ERROR|SCARD_E_NO_SERVICE/);
    expect(monitor.snapshot()).toMatchObject({ service: 'down', readers: [] });

    const back = nextEvent(monitor, 'reader', (change, name) => change === 'added' && name === harness.readerName);
    const up = nextEvent(monitor, 'service', (state) => state === 'up');
    await harness.startDaemon();
    await Promise.all([back, up]);
    expect(monitor.snapshot()).toMatchObject({ service: 'up', serviceError: null, serviceRecoveries: 1 });
  });

  it('never connects to the card: pcscd received no CONNECT, TRANSMIT or CONTROL from the monitor', async () => {
    const inserted = nextEvent(monitor, 'card', (change) => change === 'inserted', 15_000);
    await harness.insertCard();
    await inserted;
    await harness.removeCard();
    const commands = harness.commands();
    expect(commands.CMD_WAIT_READER_STATE_CHANGE ?? 0).toBeGreaterThan(0); // the log is being read: the monitor's calls show
    expect(commands).not.toHaveProperty('CONNECT');
    expect(commands).not.toHaveProperty('TRANSMIT');
    expect(commands).not.toHaveProperty('CONTROL');
  });

  it('close() stops following and releases the binding threads', async () => {
    const m = new PcscMonitor({ retryMs: 100 });
    await m.start(); // resolves once the first reader list is in
    expect(m.snapshot()).toMatchObject({ service: 'up' });
    expect(m.snapshot().readers.length).toBeGreaterThan(0);
    await m.close();
    expect(m.snapshot().readers).toEqual([]);
  });
});
