import { describe, expect, it } from 'vitest';
import type { ObservedExchange } from '../../../firmware-bridge/health/observed-exchange.js';
import type { ProbeResult } from '../../core/checks/result.js';
import { checkConfigWithDefaults } from '../../core/config/check-config.js';
import { memoryState, testContext } from '../shared/testing.js';
import { stopwatch } from '../shared/result.js';
import { CardLog, localDay } from './card-log.js';
import { plugin } from './index.js';
import { LinkWindow } from './link-window.js';
import { readerResults, type ReaderObservation } from './observation.js';
import { ReaderHealth } from './reader-health.js';
import { resolveReaderConfig, type ReaderConfig } from './schema.js';

const config = (partial: Record<string, unknown>) => resolveReaderConfig(checkConfigWithDefaults(plugin, partial) as ReaderConfig);
const done = stopwatch(() => new Date('2026-03-02T08:00:00+08:00'));

function exchange(overrides: Partial<ObservedExchange> = {}): ObservedExchange {
  return { source: 'probe', command: 'status', outcome: 'ok', latencyMs: 12, linkErrors: 0, linkError: false, reply: null, at: 0, ...overrides };
}
const statusReply = (bits: { hardwareFault?: boolean; cardPresent?: boolean }) => ({
  command: 'status',
  statusOk: true,
  status: 0,
  hardwareFault: bits.hardwareFault ?? false,
  badReply: false,
  readerStatus: { cardPresent: bits.cardPresent ?? false, cardPowered: false, hardwareFault: bits.hardwareFault ?? false, raw: 0 },
});

function observation(overrides: Partial<ReaderObservation> = {}, health: Partial<ReturnType<ReaderHealth['view']>> = {}): ReaderObservation {
  const base = new ReaderHealth(60_000, 3).view(0);
  return { presence: { kind: 'present' }, health: { ...base, ...health }, cardInsertions: 0, evidence: {}, ...overrides };
}
const reasonsOf = (results: ProbeResult[]) => results.map((r) => `${r.status}:${r.reason}`);

describe('reader fault rules', () => {
  it('maps every reason to its fault and grade', () => {
    const rule = (reason: string) => plugin.rules({ status: 'fail', reason, subject: 'r', evidence: {}, message: { zh: '', en: '' }, time: '', durationMs: 0 }, {} as never);
    expect(rule('not_found')).toEqual({ code: 'READER_NOT_FOUND', severity: 'critical' });
    expect(rule('port_error')).toEqual({ code: 'READER_NOT_FOUND', severity: 'critical' });
    expect(rule('no_response')).toEqual({ code: 'READER_NO_RESPONSE', severity: 'major' });
    expect(rule('hardware_fault')).toEqual({ code: 'READER_HW_FAULT', severity: 'major' });
    expect(rule('link_errors')).toEqual({ code: 'READER_LINK_ERRORS', severity: 'minor' });
    expect(rule('firmware_mismatch')).toEqual({ code: 'READER_FIRMWARE_MISMATCH', severity: 'minor' });
    expect(rule('pcsc_service_down')).toEqual({ code: 'PCSC_SERVICE_DOWN', severity: 'critical' });
    expect(rule('timeout')).toBeNull();
  });
});

describe('results from an observation', () => {
  const c = config({ mode: 'serial-probe', port: '/dev/ttyUSB0', allowedFirmware: ['V1'], linkErrors: { minExchanges: 4, maxErrorRate: 0.25 } });

  it('reports a missing reader or a stopped service alone, whatever else was known', () => {
    const absent = readerResults(observation({ presence: { kind: 'absent', detail: { zh: 'x', en: 'x' } } }, { noResponse: true, firmwareVersion: 'V9' }), c, 'r', 0, done);
    expect(reasonsOf(absent)).toEqual(['fail:not_found']);
    const down = readerResults(observation({ presence: { kind: 'service_down', detail: { zh: 'x', en: 'x' } } }), c, 'r', 0, done);
    expect(reasonsOf(down)).toEqual(['fail:pcsc_service_down']);
  });

  it('reports several conditions of a present reader at once, one result each', () => {
    const results = readerResults(
      observation({}, { hardwareFault: true, firmwareVersion: 'V2', window: { exchanges: 8, errors: 3, rate: 3 / 8 } }),
      c,
      'r',
      0,
      done,
    );
    expect(reasonsOf(results)).toEqual(['fail:hardware_fault', 'fail:link_errors', 'fail:firmware_mismatch']);
    expect(results[1]!.message.en).toContain('3 of 8 exchanges');
    expect(new Set(results.map((r) => r.subject))).toEqual(new Set(['r']));
  });

  it('does not add link errors or stale state to a reader that does not answer', () => {
    const results = readerResults(observation({}, { noResponse: true, hardwareFault: true, firmwareVersion: 'V2', window: { exchanges: 8, errors: 8, rate: 1 } }), c, 'r', 0, done);
    expect(reasonsOf(results)).toEqual(['fail:no_response']);
  });

  it('judges the error rate only with enough exchanges, and only above the threshold', () => {
    const at = (exchanges: number, errors: number) =>
      reasonsOf(readerResults(observation({}, { window: { exchanges, errors, rate: errors / exchanges } }), c, 'r', 0, done));
    expect(at(3, 3)).toEqual(['ok:ok']);
    expect(at(4, 1)).toEqual(['ok:ok']);
    expect(at(4, 2)).toEqual(['fail:link_errors']);
  });

  it('treats a port held by the settlement software as fine, and says who holds it', () => {
    const [r] = readerResults(observation({ presence: { kind: 'in_use', by: 'SettlementClien (pid 42)' } }), c, 'r', 7, done);
    expect(r).toMatchObject({ status: 'ok', evidence: { inUse: true, inUseBy: 'SettlementClien (pid 42)', cardReadsToday: 7, present: true } });
    expect(r!.message.zh).toContain('正在使用');
  });

  it('allows any firmware when the allowed list is empty', () => {
    const open = config({ mode: 'serial-probe', port: '/dev/ttyUSB0' });
    expect(reasonsOf(readerResults(observation({}, { firmwareVersion: 'anything' }), open, 'r', 0, done))).toEqual(['ok:ok']);
  });
});

describe('ReaderHealth', () => {
  it('takes one failed probe as no response, but the settlement software\'s timeouts only after noResponseAfter in a row', () => {
    const h = new ReaderHealth(60_000, 3);
    expect(h.view(0).noResponse).toBeNull();
    h.record(exchange({ source: 'app', outcome: 'timeout', linkError: true }));
    h.record(exchange({ source: 'app', outcome: 'timeout', linkError: true }));
    expect(h.view(0).noResponse).toBeNull();
    h.record(exchange({ source: 'app', outcome: 'timeout', linkError: true }));
    expect(h.view(0)).toMatchObject({ noResponse: true, appTimeoutStreak: 3 });
    h.record(exchange({ source: 'app', outcome: 'error_status' }));
    expect(h.view(0)).toMatchObject({ noResponse: false, appTimeoutStreak: 0 });
    h.record(exchange({ outcome: 'timeout', linkError: true }));
    expect(h.view(0).noResponse).toBe(true);
  });

  it('reads hardware fault, version and card insertions from replies; forgets them when the device goes', () => {
    const h = new ReaderHealth(60_000, 3);
    h.record(exchange({ reply: statusReply({ cardPresent: false }) }));
    h.record(exchange({ reply: statusReply({ cardPresent: true, hardwareFault: true }) }));
    h.record(exchange({ command: 'version', reply: { command: 'version', statusOk: true, status: 0, hardwareFault: false, badReply: false, version: 'D8-V3.20' } }));
    h.record(exchange({ reply: statusReply({ cardPresent: false }) }));
    h.record(exchange({ reply: statusReply({ cardPresent: true }) }));
    expect(h.view(0)).toMatchObject({ hardwareFault: false, firmwareVersion: 'D8-V3.20', cardPresent: true, cardInsertions: 2 });
    h.record(exchange({ command: 'selfTest', outcome: 'error_status', reply: { command: 'selfTest', statusOk: false, status: 0x10, hardwareFault: true, badReply: false } }));
    expect(h.view(0).hardwareFault).toBe(true);
    h.deviceLost();
    expect(h.view(0)).toMatchObject({ noResponse: null, hardwareFault: null, firmwareVersion: null, cardPresent: null, cardInsertions: 2 });
  });
});

describe('LinkWindow', () => {
  it('counts only exchanges inside the window', () => {
    const w = new LinkWindow(1000);
    w.add(0, true);
    w.add(500, false);
    w.add(900, true);
    expect(w.summary(900)).toEqual({ exchanges: 3, errors: 2, rate: 2 / 3 });
    expect(w.summary(1600)).toEqual({ exchanges: 1, errors: 1, rate: 1 });
    expect(w.summary(5000)).toEqual({ exchanges: 0, errors: 0, rate: 0 });
  });

  it('stays bounded on a chatty link', () => {
    const w = new LinkWindow(1e9, 100);
    for (let i = 0; i < 5000; i++) w.add(i, i % 2 === 0);
    expect(w.summary(5000)).toEqual({ exchanges: 100, errors: 50, rate: 0.5 });
  });
});

describe('CardLog', () => {
  it('counts reads per local day from a running insertion counter, across restarts and counter resets', () => {
    const state = memoryState();
    const day1 = new Date(2026, 2, 2, 9, 0);
    const log = new CardLog(state);
    expect(log.update(0, day1)).toBe(0);
    expect(log.update(3, day1)).toBe(3);
    expect(log.update(2, day1)).toBe(5); // the monitor restarted: 2 new since
    expect(state.raw()).toEqual({ cards: { day: localDay(day1), reads: 5 } });
    const afterRestart = new CardLog(state);
    expect(afterRestart.update(1, day1)).toBe(6);
    expect(afterRestart.update(1, new Date(2026, 2, 3, 0, 5))).toBe(0);
    expect(afterRestart.update(4, new Date(2026, 2, 3, 0, 6))).toBe(3);
  });
});

describe('probe creation', () => {
  it('names the missing setting a mode needs, and an unknown profile', () => {
    const ctx = testContext({ checkId: 'reader-1' });
    const create = (partial: Record<string, unknown>) => () => plugin.createProbe(checkConfigWithDefaults(plugin, partial), ctx);
    expect(create({ mode: 'serial-probe' })).toThrow(/reader check "reader-1": port: required when mode is "serial-probe"/);
    expect(create({ mode: 'usb' })).toThrow(/usb\/ids: needs at least one VID:PID/);
    // the same rules are config errors, with their paths, before anything runs
    expect(plugin.validate!(checkConfigWithDefaults(plugin, { mode: 'usb' }))).toEqual([
      { path: '/usb/ids', message: 'needs at least one VID:PID when mode is "usb" (e.g. ["257b:3031"])' },
    ]);
    expect(create({ mode: 'serial-bridge', port: '/dev/x', bridge: { path: '/dev/x' } })).toThrow(/must differ from "port"/);
    expect(create({ mode: 'serial-probe', port: '/dev/x', profile: 'nope' })).toThrow(/unknown reader profile "nope"; known: stx-bcc/);
    expect(() => checkConfigWithDefaults(plugin, { mode: 'usb', usb: { ids: ['257b-3031'] } })).toThrow(/pattern/);
  });
});
