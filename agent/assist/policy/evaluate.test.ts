import { describe, expect, it } from 'vitest';
import { evaluatePolicy, POLICY_REFUSALS, type PolicyRequest, type PolicyState } from './evaluate.js';
import type { AssistPolicy, MaintenanceWindow } from './schema.js';
import { parseTarget } from './targets.js';

const policy = (over: Partial<AssistPolicy> = {}): AssistPolicy => ({
  enabled: true,
  kinds: { diag: true, forward: true, shell: false },
  forwardTargets: ['127.0.0.1:5900', '127.0.0.1:3389', '[::1]:8080', 'his-db.clinic.lan:1521'],
  maxDurationMinutes: 60,
  idleTimeoutMinutes: 15,
  maxConcurrentSessions: 1,
  bandwidthBytesPerSecond: 1_048_576,
  consentTimeoutSeconds: 120,
  maintenanceWindows: [],
  ...over,
});
const state = (over: Partial<PolicyState> = {}): PolicyState => ({ liveSessions: 0, consentPaths: { page: true, cli: true }, ...over });
const diag: PolicyRequest = { kinds: ['diag'], durationMinutes: 30 };
// Local-time constructors: windows are in the terminal's local time, whatever the test machine's zone.
// 2026-05-01 is a Friday.
const fri = (h: number, m = 0) => new Date(2026, 4, 1, h, m);
const sat = (h: number, m = 0) => new Date(2026, 4, 2, h, m);
const sun = (h: number, m = 0) => new Date(2026, 4, 3, h, m);
const reason = (d: ReturnType<typeof evaluatePolicy>) => (d.outcome === 'refuse' ? d.reason : d.outcome);

describe('evaluatePolicy: refusals', () => {
  it('assistance_disabled when the section is off, whatever else', () => {
    expect(reason(evaluatePolicy(diag, policy({ enabled: false }), fri(10), state()))).toBe('assistance_disabled');
  });

  it('kind_not_allowed: shell is off by default; any kind switched off', () => {
    const d = evaluatePolicy({ kinds: ['diag', 'shell'], durationMinutes: 10 }, policy(), fri(10), state());
    expect(d).toMatchObject({ outcome: 'refuse', reason: 'kind_not_allowed', detail: expect.stringContaining('shell') });
    const noDiag = policy({ kinds: { diag: false, forward: true, shell: true } });
    expect(reason(evaluatePolicy(diag, noDiag, fri(10), state()))).toBe('kind_not_allowed');
  });

  it('target_not_allowed: another port, another loopback address, a name for an allowed address (never resolved)', () => {
    for (const t of ['127.0.0.1:22', '127.0.0.2:5900', 'localhost:5900', '10.1.2.3:5900', 'his-db.clinic.lan:1522']) {
      expect(reason(evaluatePolicy({ kinds: ['forward'], durationMinutes: 10, forwardTargets: [t] }, policy(), fri(10), state())), t).toBe('target_not_allowed');
    }
    // one bad target among good ones refuses the whole request
    const mixed = { kinds: ['forward'] as const, durationMinutes: 10, forwardTargets: ['127.0.0.1:5900', '127.0.0.1:23'] };
    expect(reason(evaluatePolicy({ ...mixed, kinds: [...mixed.kinds] }, policy(), fri(10), state()))).toBe('target_not_allowed');
  });

  it('allowed targets pass, compared canonically (case, IPv6 brackets); an explicit non-loopback entry is allowed', () => {
    for (const t of ['127.0.0.1:5900', '[::1]:8080', 'HIS-DB.clinic.lan:1521']) {
      expect(reason(evaluatePolicy({ kinds: ['forward'], durationMinutes: 10, forwardTargets: [t] }, policy(), fri(10), state())), t).toBe('ask-operator');
    }
  });

  it('invalid_request: no kinds, forward without targets, targets without forward, a target that does not parse, a bad duration', () => {
    const cases: PolicyRequest[] = [
      { kinds: [], durationMinutes: 10 },
      { kinds: ['forward'], durationMinutes: 10 },
      { kinds: ['diag'], durationMinutes: 10, forwardTargets: ['127.0.0.1:5900'] },
      { kinds: ['forward'], durationMinutes: 10, forwardTargets: ['127.0.0.1:*'] },
      { kinds: ['diag'], durationMinutes: 0 },
      { kinds: ['diag'], durationMinutes: 1.5 },
    ];
    for (const c of cases) expect(reason(evaluatePolicy(c, policy(), fri(10), state())), JSON.stringify(c)).toBe('invalid_request');
  });

  it('too_long: over maxDurationMinutes is refused, not shortened; exactly the limit passes', () => {
    expect(reason(evaluatePolicy({ kinds: ['diag'], durationMinutes: 61 }, policy(), fri(10), state()))).toBe('too_long');
    expect(reason(evaluatePolicy({ kinds: ['diag'], durationMinutes: 60 }, policy(), fri(10), state()))).toBe('ask-operator');
  });

  it('too_many_sessions: the limit counts pending and running sessions', () => {
    expect(reason(evaluatePolicy(diag, policy(), fri(10), state({ liveSessions: 1 })))).toBe('too_many_sessions');
    expect(reason(evaluatePolicy(diag, policy({ maxConcurrentSessions: 2 }), fri(10), state({ liveSessions: 1 })))).toBe('ask-operator');
  });

  it('no_way_to_consent: neither page nor CLI, and no window; the CLI alone is enough to ask', () => {
    const none = state({ consentPaths: { page: false, cli: false } });
    expect(evaluatePolicy(diag, policy(), fri(10), none)).toMatchObject({ outcome: 'refuse', reason: 'no_way_to_consent' });
    expect(evaluatePolicy(diag, policy(), fri(10), state({ consentPaths: { page: false, cli: true } }))).toEqual({ outcome: 'ask-operator', via: ['cli'], timeoutSeconds: 120 });
    expect(evaluatePolicy(diag, policy({ consentTimeoutSeconds: 30 }), fri(10), state())).toEqual({ outcome: 'ask-operator', via: ['page', 'cli'], timeoutSeconds: 30 });
  });

  it('every reason of the closed list is reachable (the list documents no dead reason)', () => {
    const seen = new Set<string>();
    const none = state({ consentPaths: { page: false, cli: false } });
    seen.add(reason(evaluatePolicy(diag, policy({ enabled: false }), fri(10), state())));
    seen.add(reason(evaluatePolicy({ kinds: [], durationMinutes: 1 }, policy(), fri(10), state())));
    seen.add(reason(evaluatePolicy({ kinds: ['shell'], durationMinutes: 1 }, policy(), fri(10), state())));
    seen.add(reason(evaluatePolicy({ kinds: ['forward'], durationMinutes: 1, forwardTargets: ['127.0.0.1:1'] }, policy(), fri(10), state())));
    seen.add(reason(evaluatePolicy({ kinds: ['diag'], durationMinutes: 999 }, policy(), fri(10), state())));
    seen.add(reason(evaluatePolicy(diag, policy(), fri(10), state({ liveSessions: 1 }))));
    seen.add(reason(evaluatePolicy(diag, policy(), fri(10), none)));
    expect([...seen].sort()).toEqual([...POLICY_REFUSALS].sort());
  });

  it('policy limits apply inside a window too: a window approves only what the policy allows', () => {
    const always: MaintenanceWindow = { name: 'all-day', days: ['fri'], from: '00:00', to: '23:59' };
    const p = policy({ maintenanceWindows: [always] });
    expect(reason(evaluatePolicy({ kinds: ['shell'], durationMinutes: 10 }, p, fri(10), state()))).toBe('kind_not_allowed');
    expect(reason(evaluatePolicy(diag, p, fri(10), state({ liveSessions: 1 })))).toBe('too_many_sessions');
  });
});

describe('evaluatePolicy: maintenance windows (local time)', () => {
  const weekday: MaintenanceWindow = { name: 'weekday-lunch', days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '12:00', to: '13:30' };
  const overnight: MaintenanceWindow = { name: 'fri-night', days: ['fri'], from: '22:00', to: '02:00' };
  const p = policy({ maintenanceWindows: [weekday, overnight] });
  const none = state({ consentPaths: { page: false, cli: false } });
  const at = (now: Date, minutes = 30) => evaluatePolicy({ kinds: ['diag'], durationMinutes: minutes }, p, now, none);

  it('inside: approved by the window, named, with its end', () => {
    expect(at(fri(12, 0))).toEqual({ outcome: 'approve-by-window', window: 'weekday-lunch', windowEndsAt: fri(13, 30).toISOString() });
    expect(at(fri(12, 59), 31)).toMatchObject({ outcome: 'approve-by-window', window: 'weekday-lunch' });
  });

  it('outside: the start is inclusive, the end exclusive; a request running past the end is not the window\'s', () => {
    expect(reason(at(fri(11, 59)))).toBe('no_way_to_consent');
    expect(reason(at(fri(13, 30), 1))).toBe('no_way_to_consent');
    expect(reason(at(fri(13, 0), 31))).toBe('no_way_to_consent');
    // with someone to ask, a request past the window's end goes to the operator
    expect(reason(evaluatePolicy({ kinds: ['diag'], durationMinutes: 31 }, p, fri(13, 0), state()))).toBe('ask-operator');
  });

  it('weekday: the lunch window is not on Saturday or Sunday', () => {
    expect(reason(at(sat(12, 30), 10))).toBe('no_way_to_consent');
    expect(reason(at(sun(12, 30), 10))).toBe('no_way_to_consent');
  });

  it('overnight: Friday 22:00–02:00 covers Friday late and Saturday early, not Saturday 22:00 nor Friday 01:00', () => {
    expect(at(fri(22, 0))).toEqual({ outcome: 'approve-by-window', window: 'fri-night', windowEndsAt: sat(2, 0).toISOString() });
    expect(at(fri(23, 50), 60)).toMatchObject({ outcome: 'approve-by-window', window: 'fri-night' });
    expect(at(sat(1, 0), 60)).toEqual({ outcome: 'approve-by-window', window: 'fri-night', windowEndsAt: sat(2, 0).toISOString() });
    expect(reason(at(sat(1, 59), 2))).toBe('no_way_to_consent');
    expect(reason(at(sat(2, 0), 1))).toBe('no_way_to_consent');
    expect(reason(at(sat(22, 30), 10))).toBe('no_way_to_consent');
    expect(reason(at(fri(1, 0), 10))).toBe('no_way_to_consent'); // Thursday night has no window
    expect(reason(at(fri(21, 59), 10))).toBe('no_way_to_consent');
  });
});

describe('parseTarget', () => {
  it('accepts host:port and [v6]:port; refuses wildcards, ranges, schemes, the unspecified address', () => {
    expect(parseTarget('127.0.0.1:5900')).toEqual({ host: '127.0.0.1', port: 5900 });
    expect(parseTarget('[::1]:3389')).toEqual({ host: '::1', port: 3389 });
    expect(parseTarget('HIS.Clinic.lan:1521')).toEqual({ host: 'his.clinic.lan', port: 1521 });
    for (const bad of ['127.0.0.1', '*:5900', '127.0.0.1:*', '127.0.0.1:5900-5910', 'tcp://127.0.0.1:5900', '0.0.0.0:5900', '[::]:5900', '::1:5900', '127.0.0.1:0', '127.0.0.1:65536', '[127.0.0.1]:80']) {
      expect(typeof parseTarget(bad), bad).toBe('string');
    }
  });
});
