import { describe, expect, it } from 'vitest';
import type { ProbeResult } from '../checks/result.js';
import type { CheckPlugin } from '../checks/plugin.js';
import type { Severity } from '../severity.js';
import { FaultCatalogue } from './catalogue.js';
import { FaultEngine, type EngineCheck, type PendingTransition } from './engine.js';
import { faultKey } from './key.js';
import { faultTable, type Fault, type InhibitRule } from './types.js';

const def = (code: string, severity: Severity = 'major') => ({
  code,
  severity,
  title: { zh: code, en: code },
  causes: [],
  operator: { zh: '', en: '' },
  engineer: { zh: '', en: '' },
});

const testPlugin = {
  type: 'probe',
  faults: [def('HOST_DOWN', 'critical'), def('TLS_BAD'), def('DISK_FULL'), def('BACKUP_OLD'), def('SLOW', 'minor'), def('GONE')],
} as unknown as CheckPlugin;

class Clock {
  t = Date.parse('2026-11-22T08:00:00Z');
  now = () => new Date(this.t);
  tick(ms = 60_000) {
    this.t += ms;
  }
}

function setup(rules: InhibitRule[] = [], faults: Record<string, Fault> = {}) {
  const clock = new Clock();
  let n = 0;
  const engine = new FaultEngine({
    agentId: 'H44010600001-T01',
    catalogue: new FaultCatalogue([testPlugin]),
    inhibitRules: rules,
    faults: faultTable(faults), // tests look at the same plain object the table changes
    now: clock.now,
    newId: () => `occ-${++n}`,
  });
  return { engine, clock, faults };
}

function result(subject: string, status: 'ok' | 'fail', reason = status === 'ok' ? 'ok' : 'bad', evidence: ProbeResult['evidence'] = {}, labels?: Record<string, string>): ProbeResult {
  return { status, reason, subject, message: { zh: reason, en: reason }, evidence, time: new Date().toISOString(), durationMs: 1, ...(labels ? { labels } : {}) };
}

/** A check whose failures map to `code`, graded by the `severity` evidence when present. */
function check(id: string, code: string, raiseAfter = 2, clearAfter = 2): EngineCheck {
  return {
    id,
    raiseAfter,
    clearAfter,
    rules: (r) => ({ code, severity: (r.evidence.severity as Severity | undefined) ?? 'major' }),
  };
}

const kinds = (ts: PendingTransition[]) => ts.map((t) => `${t.kind}:${t.fault.code}${t.changed ? `:${t.changed.join(',')}` : ''}`);

describe('fault engine hysteresis', () => {
  it('opens only after raiseAfter consecutive failures and resolves after clearAfter successes', () => {
    const { engine, clock } = setup();
    const c = check('net', 'HOST_DOWN', 3, 2);
    expect(engine.ingest(c, [result('platform', 'fail')])).toEqual([]);
    clock.tick();
    expect(engine.ingest(c, [result('platform', 'ok')])).toEqual([]); // streak broken
    clock.tick();
    expect(engine.ingest(c, [result('platform', 'fail')])).toEqual([]);
    clock.tick();
    expect(engine.ingest(c, [result('platform', 'fail')])).toEqual([]);
    const firstFailOfStreak = new Date(clock.t - 60_000).toISOString();
    clock.tick();
    const opened = engine.ingest(c, [result('platform', 'fail')]);
    expect(kinds(opened)).toEqual(['opened:HOST_DOWN']);
    // the original detection time is the streak's first failure, not the moment it opened
    expect(opened[0]!.fault.firstSeen).toBe(firstFailOfStreak);
    expect(opened[0]!.detectedAt).toBe(firstFailOfStreak);
    expect(opened[0]!.fault.occurrences).toBe(3);
    clock.tick();
    expect(engine.ingest(c, [result('platform', 'ok')])).toEqual([]);
    clock.tick();
    const resolved = engine.ingest(c, [result('platform', 'ok')]);
    expect(kinds(resolved)).toEqual(['resolved:HOST_DOWN']);
    expect(resolved[0]!.fault.state).toBe('resolved');
    expect(engine.active()).toEqual([]);
  });

  it('keys are stable and derived from agent, check, subject and code', () => {
    const { engine } = setup();
    const t = engine.ingest(check('net', 'HOST_DOWN', 1, 1), [result('platform', 'fail')]);
    expect(t[0]!.fault.key).toBe(faultKey('H44010600001-T01', 'net', 'platform', 'HOST_DOWN'));
    expect(faultKey('a', 'b', 'c', 'D')).toBe(faultKey('a', 'b', 'c', 'D'));
    expect(faultKey('a', 'b', 'c', 'D')).not.toBe(faultKey('a', 'b', 'cD', ''));
  });

  it('a probe alternating fail/ok 1000 times produces a small, bounded number of transitions', () => {
    for (const [raise, clear] of [[1, 1], [2, 2], [1, 2]] as const) {
      const { engine, clock } = setup();
      const c = check('reader', 'GONE', raise, clear);
      let transitions = 0;
      for (let i = 0; i < 1000; i++) {
        transitions += engine.ingest(c, [result('COM3', 'fail')]).length;
        clock.tick(5_000);
        transitions += engine.ingest(c, [result('COM3', 'ok')]).length;
        clock.tick(5_000);
      }
      expect(transitions, `raiseAfter ${raise} clearAfter ${clear}`).toBeLessThanOrEqual(4);
    }
  });

  it('a flapping key resolves once it is steady again, and re-opening is a new occurrence', () => {
    const { engine, clock } = setup();
    const c = check('reader', 'GONE', 1, 1);
    const ids = new Set<string>();
    for (let i = 0; i < 10; i++) {
      for (const t of engine.ingest(c, [result('COM3', 'fail')])) ids.add(t.fault.id);
      clock.tick(1000);
      engine.ingest(c, [result('COM3', 'ok')]);
      clock.tick(1000);
    }
    expect(engine.active()[0]!.flapping).toBe(true);
    engine.ingest(c, [result('COM3', 'fail')]);
    let resolvedAfter = 0;
    for (let i = 1; i <= 100 && engine.active().length; i++) {
      clock.tick(1000);
      if (engine.ingest(c, [result('COM3', 'ok')]).some((t) => t.kind === 'resolved')) resolvedAfter = i;
    }
    expect(resolvedAfter).toBe(2); // clearAfter 1, doubled while flapping
    expect(engine.active()).toEqual([]);
    expect(ids.size).toBe(2); // the first occurrence and the one that stayed open while flapping
  });

  it('severity changes while open update the same fault; de-escalation waits for clearAfter', () => {
    const { engine, clock } = setup();
    const c = check('cert', 'TLS_BAD', 1, 2);
    const open = engine.ingest(c, [result('leaf', 'fail', 'days', { severity: 'minor' })]);
    const id = open[0]!.fault.id;
    clock.tick();
    const up = engine.ingest(c, [result('leaf', 'fail', 'days', { severity: 'major' })]);
    expect(kinds(up)).toEqual(['updated:TLS_BAD:severity']);
    expect(up[0]!.fault.id).toBe(id);
    expect(up[0]!.fault.severity).toBe('major');
    clock.tick();
    const crit = engine.ingest(c, [result('leaf', 'fail', 'days', { severity: 'critical' })]);
    expect(crit[0]!.fault).toMatchObject({ id, severity: 'critical', occurrences: 3 });
    clock.tick();
    expect(engine.ingest(c, [result('leaf', 'fail', 'days', { severity: 'major' })])).toEqual([]);
    clock.tick();
    const down = engine.ingest(c, [result('leaf', 'fail', 'days', { severity: 'major' })]);
    expect(down[0]!.fault).toMatchObject({ id, severity: 'major' });
    expect(engine.active()).toHaveLength(1);
  });

  it('re-opening after resolve is a new occurrence with a new id and the same key', () => {
    const { engine, clock } = setup();
    const c = check('net', 'HOST_DOWN', 1, 1);
    const a = engine.ingest(c, [result('p', 'fail')])[0]!.fault;
    clock.tick(2 * 3600_000);
    engine.ingest(c, [result('p', 'ok')]);
    clock.tick(2 * 3600_000);
    const b = engine.ingest(c, [result('p', 'fail')])[0]!.fault;
    expect(b.key).toBe(a.key);
    expect(b.id).not.toBe(a.id);
    expect(b.flapping).toBeUndefined();
  });

  it('subjects no longer reported count as healthy; a timed-out run leaves other subjects alone', () => {
    const { engine, clock } = setup();
    const c = check('disk', 'DISK_FULL', 1, 1);
    engine.ingest(c, [result('/', 'fail'), result('/data', 'ok')]);
    expect(engine.active().map((f) => f.subject)).toEqual(['/']);
    clock.tick();
    const timeout = engine.ingest(c, [result('disk', 'fail', 'timeout')]);
    expect(kinds(timeout)).toEqual(['opened:CHECK_TIMEOUT']);
    expect(engine.active().map((f) => f.code).sort()).toEqual(['CHECK_TIMEOUT', 'DISK_FULL']);
    clock.tick();
    const back = engine.ingest(c, [result('/data', 'ok')]);
    expect(kinds(back).sort()).toEqual(['resolved:CHECK_TIMEOUT', 'resolved:DISK_FULL']);
  });

  it("a check's own framework faults replace CHECK_TIMEOUT / CHECK_CRASHED; busy, probe_error and other checks keep the framework's", () => {
    const { engine, clock } = setup();
    const seen: string[] = [];
    const vendor: EngineCheck = {
      ...check('usbkey', 'DISK_FULL', 1, 1),
      rules: (r) => (seen.push(r.reason), { code: 'DISK_FULL', severity: 'major' }),
      frameworkFaults: { timeout: { code: 'HOST_DOWN', severity: 'critical' }, crashed: { code: 'GONE', severity: 'major' } },
    };
    const plain = check('disk', 'DISK_FULL', 1, 1);
    expect(kinds(engine.ingest(vendor, [result('usbkey', 'fail', 'timeout')]))).toEqual(['opened:HOST_DOWN']);
    expect(engine.active()[0]).toMatchObject({ code: 'HOST_DOWN', severity: 'critical', subject: 'usbkey' });
    clock.tick();
    expect(kinds(engine.ingest(vendor, [result('usbkey', 'fail', 'crashed')])).sort()).toEqual(['opened:GONE', 'resolved:HOST_DOWN']);
    clock.tick();
    expect(kinds(engine.ingest(vendor, [result('usbkey', 'fail', 'probe_error')])).sort()).toEqual(['opened:CHECK_ERROR', 'resolved:GONE']);
    clock.tick();
    expect(kinds(engine.ingest(vendor, [result('usbkey', 'fail', 'busy')])).sort()).toEqual(['opened:CHECK_TIMEOUT', 'resolved:CHECK_ERROR']);
    expect(seen).toEqual([]); // framework reasons never reach the check's own rules
    expect(kinds(engine.ingest(plain, [result('disk', 'fail', 'timeout')]))).toEqual(['opened:CHECK_TIMEOUT']);
    expect(kinds(engine.ingest(plain, [result('disk', 'fail', 'crashed')])).sort()).toEqual(['opened:CHECK_CRASHED', 'resolved:CHECK_TIMEOUT']);
  });

  it('a subject whose failure changes code resolves the old fault', () => {
    const { engine, clock } = setup();
    let code = 'BACKUP_OLD';
    const c: EngineCheck = { id: 'backup', raiseAfter: 1, clearAfter: 1, rules: () => ({ code, severity: 'major' }) };
    engine.ingest(c, [result('/backups', 'fail')]);
    clock.tick();
    code = 'GONE';
    expect(kinds(engine.ingest(c, [result('/backups', 'fail')])).sort()).toEqual(['opened:GONE', 'resolved:BACKUP_OLD']);
  });

  it('faults restored from the store keep hysteresis: they resolve after clearAfter successes', () => {
    const first = setup();
    first.engine.ingest(check('net', 'HOST_DOWN', 1, 2), [result('p', 'fail')]);
    const restored = structuredClone(first.faults);
    const { engine } = setup([], restored);
    expect(engine.ingest(check('net', 'HOST_DOWN', 1, 2), [result('p', 'ok')])).toEqual([]);
    expect(kinds(engine.ingest(check('net', 'HOST_DOWN', 1, 2), [result('p', 'ok')]))).toEqual(['resolved:HOST_DOWN']);
  });

  it('retire resolves faults of checks that are no longer configured', () => {
    const { engine } = setup();
    engine.ingest(check('old', 'HOST_DOWN', 1, 1), [result('p', 'fail')]);
    engine.ingest(check('kept', 'SLOW', 1, 1), [result('p', 'fail')]);
    expect(kinds(engine.retire(new Set(['kept']), new Set()))).toEqual(['resolved:HOST_DOWN']);
  });
});

describe('fault engine inhibition', () => {
  const rules: InhibitRule[] = [
    { source: ['HOST_DOWN'], target: ['TLS_BAD', 'SLOW'], equal: ['host'] },
    { source: ['DISK_FULL'], target: ['BACKUP_OLD'], equal: ['mount'] },
  ];

  it('an active source mutes targets sharing the labels; muted faults stay visible with inhibitedBy', () => {
    const { engine, clock } = setup(rules);
    const tls = check('tls', 'TLS_BAD', 1, 1);
    const dns = check('dns', 'HOST_DOWN', 1, 1);
    engine.ingest(tls, [result('a', 'fail', 'x', {}, { host: 'hisa.example' }), result('b', 'fail', 'x', {}, { host: 'other.example' })]);
    clock.tick();
    const t = engine.ingest(dns, [result('hisa.example', 'fail', 'x', {}, { host: 'hisa.example' })]);
    const source = t.find((x) => x.kind === 'opened')!.fault;
    expect(kinds(t)).toEqual(['opened:HOST_DOWN', 'updated:TLS_BAD:inhibitedBy']);
    const byHost = Object.fromEntries(engine.active().map((f) => [f.labels.host + f.code, f.inhibitedBy]));
    expect(byHost['hisa.exampleTLS_BAD']).toEqual([source.key]);
    expect(byHost['other.exampleTLS_BAD']).toEqual([]); // different host: not muted
    expect(byHost['hisa.exampleHOST_DOWN']).toEqual([]); // never by itself
    expect(engine.active()).toHaveLength(3);

    // release: the source resolves, the target is no longer muted
    clock.tick();
    const released = engine.ingest(dns, [result('hisa.example', 'ok', 'ok', {}, { host: 'hisa.example' })]);
    expect(kinds(released)).toEqual(['resolved:HOST_DOWN', 'updated:TLS_BAD:inhibitedBy']);
    expect(engine.active().every((f) => f.inhibitedBy.length === 0)).toBe(true);
  });

  it('a fault opening while its source is active is born muted', () => {
    const { engine, clock } = setup(rules);
    engine.ingest(check('disk', 'DISK_FULL', 1, 1), [result('/', 'fail', 'x', {}, { mount: '/' })]);
    clock.tick();
    const t = engine.ingest(check('backup', 'BACKUP_OLD', 1, 1), [result('/backups', 'fail', 'x', {}, { mount: '/' })]);
    expect(kinds(t)).toEqual(['opened:BACKUP_OLD']);
    expect(t[0]!.fault.inhibitedBy).toHaveLength(1);
  });

  it('a fault matching both sides of a rule does not inhibit itself', () => {
    const { engine } = setup([{ source: ['SLOW'], target: ['SLOW'], equal: [] }]);
    const t = engine.ingest(check('x', 'SLOW', 1, 1), [result('a', 'fail')]);
    expect(t[0]!.fault.inhibitedBy).toEqual([]);
    const t2 = engine.ingest(check('y', 'SLOW', 1, 1), [result('b', 'fail')]);
    // two distinct SLOW faults mute each other, never themselves
    expect(t2.map((x) => x.fault.inhibitedBy.length)).toEqual([1, 1]);
  });
});

describe('fault engine acknowledgement', () => {
  it('acknowledges by key or id once; unknown refs are no-ops', () => {
    const { engine } = setup();
    const f = engine.ingest(check('n', 'HOST_DOWN', 1, 1), [result('p', 'fail')])[0]!.fault;
    const ack = engine.acknowledge(f.id, 'engineer wang');
    expect(ack[0]!.kind).toBe('acknowledged');
    expect(ack[0]!.fault).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'engineer wang' });
    expect(engine.acknowledge(f.key, 'again')).toEqual([]);
    expect(engine.acknowledge('nope', 'x')).toEqual([]);
    // an acknowledged fault still resolves
    expect(kinds(engine.ingest(check('n', 'HOST_DOWN', 1, 1), [result('p', 'ok')]))).toEqual(['resolved:HOST_DOWN']);
  });

  it('transitions are snapshots: later changes do not rewrite them', () => {
    const { engine } = setup();
    const opened = engine.ingest(check('n', 'HOST_DOWN', 1, 1), [result('p', 'fail')]);
    engine.acknowledge(opened[0]!.fault.id, 'x');
    expect(opened[0]!.fault.state).toBe('open');
  });
});
