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
  return { source: 'probe', command: 'status', outcome: 'ok', latencyMs: 12, failed: false, retries: 0, noise: { sequences: 0, bytes: 0 }, reply: null, at: 0, ...overrides };
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
  return { presence: { kind: 'present' }, watch: { kind: 'observed', agoMs: 1000 }, health: { ...base, ...health }, cardInsertions: 0, evidence: {}, ...overrides };
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
    // Without the duration in its evidence, a reader not observed counts as not observed for too long.
    expect(rule('pending')).toEqual({ code: 'READER_NOT_OBSERVED', severity: 'minor' });
    expect(rule('not_observed')).toEqual({ code: 'READER_NOT_OBSERVED', severity: 'minor' });
    expect(rule('timeout')).toBeNull();
  });

  it('raises READER_NOT_OBSERVED (minor) only once the reader has gone unobserved for notObservedAfterSeconds; 0: never', () => {
    const unseen = (seconds: number, config: Record<string, unknown> = {}) =>
      plugin.rules(
        { status: 'fail', reason: 'not_observed', subject: 'r', evidence: { notObservedSeconds: seconds }, message: { zh: '', en: '' }, time: '', durationMs: 0 },
        { mode: 'serial-probe', port: '/dev/ttyUSB0', ...config } as never,
      );
    expect(unseen(3599)).toBeNull(); // the default is an hour
    expect(unseen(3600)).toEqual({ code: 'READER_NOT_OBSERVED', severity: 'minor' });
    expect(unseen(120, { notObservedAfterSeconds: 60 })).toEqual({ code: 'READER_NOT_OBSERVED', severity: 'minor' });
    expect(unseen(1e6, { notObservedAfterSeconds: 0 })).toBeNull();
    // A verdict still pending after that long is as unobserved.
    const stuck = (seconds: number) =>
      plugin.rules({ status: 'fail', reason: 'pending', subject: 'r', evidence: { notObservedSeconds: seconds }, message: { zh: '', en: '' }, time: '', durationMs: 0 }, { mode: 'serial-bridge', port: '/dev/x' } as never);
    expect(stuck(1)).toBeNull();
    expect(stuck(3600)).toEqual({ code: 'READER_NOT_OBSERVED', severity: 'minor' });
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
      observation({}, { hardwareFault: true, firmwareVersion: 'V2', window: { exchanges: 8, failed: 3, rate: 3 / 8, noise: { sequences: 0, bytes: 0 } } }),
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
    const results = readerResults(
      observation({}, { noResponse: true, hardwareFault: true, firmwareVersion: 'V2', window: { exchanges: 8, failed: 8, rate: 1, noise: { sequences: 0, bytes: 0 } } }),
      c,
      'r',
      0,
      done,
    );
    expect(reasonsOf(results)).toEqual(['fail:no_response']);
  });

  it('judges the error rate only with enough exchanges, and only above the threshold', () => {
    const at = (exchanges: number, errors: number) =>
      reasonsOf(readerResults(observation({}, { window: { exchanges, failed: errors, rate: errors / exchanges, noise: { sequences: 0, bytes: 0 } } }), c, 'r', 0, done));
    expect(at(3, 3)).toEqual(['ok:ok']);
    expect(at(4, 1)).toEqual(['ok:ok']);
    expect(at(4, 2)).toEqual(['fail:link_errors']);
  });

  it('counts line noise on its own: noise in front of good replies is no failed exchange', () => {
    const [r] = readerResults(observation({}, { window: { exchanges: 10, failed: 0, rate: 0, noise: { sequences: 10, bytes: 60 } } }), c, 'r', 0, done);
    expect(r).toMatchObject({ status: 'ok', evidence: { exchangesInWindow: 10, failedInWindow: 0, errorRate: 0, noiseInWindow: 10, noiseBytesInWindow: 60 } });
  });

  it('is never ok without an observation: a reader not observed yet is pending, alone', () => {
    const results = readerResults(observation({ watch: { kind: 'pending', forMs: 400 } }), c, 'r', 0, done);
    expect(reasonsOf(results)).toEqual(['fail:pending']);
    expect(results[0]!.message.en).toBe('reader r has no verdict yet: its first probe has not finished');
    expect(results[0]!.evidence).toMatchObject({ observed: false, notObservedSeconds: 0 });
  });

  it('shows a port held by the settlement software as not observed, with for how long and that bridge mode can watch it', () => {
    const held = { kind: 'in_use', by: 'SettlementClien (pid 42)' } as const;
    const why = { zh: '端口被占用', en: 'its port is held; use bridge mode (mode: serial-bridge)' };
    const [r] = readerResults(observation({ presence: held, watch: { kind: 'not_observed', forMs: 185_000, why } }), c, 'r', 7, done);
    expect(r).toMatchObject({
      status: 'fail',
      reason: 'not_observed',
      evidence: { inUse: true, inUseBy: 'SettlementClien (pid 42)', cardReadsToday: 7, present: true, observed: false, notObservedSeconds: 185 },
    });
    expect(r!.message.en).toBe('reader r not observed for 3 min: its port is held; use bridge mode (mode: serial-bridge)');
    // What was last known still stands next to it.
    const stale = readerResults(observation({ presence: held, watch: { kind: 'not_observed', forMs: 5000, why } }, { hardwareFault: true }), c, 'r', 0, done);
    expect(reasonsOf(stale)).toEqual(['fail:hardware_fault', 'fail:not_observed']);
    // A probe that just met the port busy: the observation from a moment ago still holds.
    const [fresh] = readerResults(observation({ presence: held, watch: { kind: 'observed', agoMs: 40_000 } }), c, 'r', 0, done);
    expect(fresh).toMatchObject({ status: 'ok', evidence: { inUse: true, observed: true, lastObservedSecondsAgo: 40 } });
    expect(fresh!.message.en).toBe('reader r is fine (in use by SettlementClien (pid 42); observed 40 s ago)');
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
    h.record(exchange({ source: 'app', outcome: 'timeout', failed: true }));
    h.record(exchange({ source: 'app', outcome: 'timeout', failed: true }));
    expect(h.view(0).noResponse).toBeNull();
    h.record(exchange({ source: 'app', outcome: 'timeout', failed: true }));
    expect(h.view(0)).toMatchObject({ noResponse: true, appTimeoutStreak: 3 });
    h.record(exchange({ source: 'app', outcome: 'error_status' }));
    expect(h.view(0)).toMatchObject({ noResponse: false, appTimeoutStreak: 0 });
    h.record(exchange({ outcome: 'timeout', failed: true }));
    expect(h.view(0).noResponse).toBe(true);
  });

  it('knows when it last observed the reader, and whether since the device was last found', () => {
    const h = new ReaderHealth(60_000, 3);
    expect(h.view(0)).toMatchObject({ lastObservedAtMs: null, observedSinceFound: false });
    h.record(exchange({ outcome: 'timeout', failed: true, at: 50 }));
    expect(h.view(60)).toMatchObject({ lastObservedAtMs: 50, observedSinceFound: true });
    h.deviceLost();
    expect(h.view(70)).toMatchObject({ lastObservedAtMs: 50, observedSinceFound: false });
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
  const none = { sequences: 0, bytes: 0 };
  it('counts only exchanges inside the window: failed over all, and the noise they carried on its own', () => {
    const w = new LinkWindow(1000);
    w.add(0, true);
    w.add(500, false, { sequences: 2, bytes: 9 });
    w.add(900, true);
    expect(w.summary(900)).toEqual({ exchanges: 3, failed: 2, rate: 2 / 3, noise: { sequences: 2, bytes: 9 } });
    expect(w.summary(1600)).toEqual({ exchanges: 1, failed: 1, rate: 1, noise: none });
    expect(w.summary(5000)).toEqual({ exchanges: 0, failed: 0, rate: 0, noise: none });
  });

  it('stays bounded on a chatty link', () => {
    const w = new LinkWindow(1e9, 100);
    for (let i = 0; i < 5000; i++) w.add(i, i % 2 === 0);
    expect(w.summary(5000)).toEqual({ exchanges: 100, failed: 50, rate: 0.5, noise: none });
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

describe('config-load rules', () => {
  const problems = (partial: Record<string, unknown>) => plugin.validate!(checkConfigWithDefaults(plugin, partial));

  it('refuses an unknown serial profile, naming the known ones', () => {
    expect(problems({ mode: 'serial-probe', port: '/dev/ttyUSB0', profile: 'decard' })).toEqual([
      { path: '/profile', message: 'unknown reader profile "decard"; known: stx-bcc' },
    ]);
    expect(problems({ mode: 'serial-bridge', port: '/dev/ttyUSB0', profile: 'stx-bcc' })).toEqual([]);
    expect(problems({ mode: 'pcsc', profile: 'decard' })).toEqual([]); // pcsc has no serial profile to use
  });

  it('puts the bridge\'s link only in a directory that exists, or in its own runtime directory', () => {
    const base = { mode: 'serial-bridge', port: '/dev/ttyUSB0' };
    expect(problems({ ...base, bridge: { path: '/run/guardpost/reader0' } })).toEqual([]);
    expect(problems({ ...base, bridge: { path: '/tmp/reader0' } })).toEqual([]);
    expect(problems({ ...base, bridge: { path: '/etc/guardpost-nonexistent/sub/reader0' } })).toEqual([
      { path: '/bridge/path', message: 'the directory /etc/guardpost-nonexistent/sub does not exist; create it first (the bridge creates only /run/guardpost itself)' },
    ]);
    expect(problems({ ...base, bridge: { path: '/etc/hostname/reader0' } })).toEqual([{ path: '/bridge/path', message: '/etc/hostname is not a directory' }]);
    // usb and pcsc never make a link, whatever bridge.path says
    expect(problems({ mode: 'usb', usb: { ids: ['257b:3031'] }, bridge: { path: '/nonexistent/reader0' } })).toEqual([]);
  });
});
