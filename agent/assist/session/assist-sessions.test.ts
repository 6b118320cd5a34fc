import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConsentBroker, ConsentError } from '../../web/consent-broker.js';
import type { AssistPolicy } from '../policy/schema.js';
import { AssistSessions, type AssistRequest } from './assist-sessions.js';
import type { AuditKind } from './audit-sink.js';

const policy = (over: Partial<AssistPolicy> = {}): AssistPolicy => ({
  enabled: true,
  kinds: { diag: true, forward: true, shell: false },
  forwardTargets: ['127.0.0.1:5900'],
  maxDurationMinutes: 60,
  idleTimeoutMinutes: 15,
  maxConcurrentSessions: 1,
  bandwidthBytesPerSecond: 1_048_576,
  consentTimeoutSeconds: 120,
  maintenanceWindows: [],
  ...over,
});
const req: AssistRequest = { engineer: '王工', organisation: '维保中心', ticket: 'T-42', reason: '读卡器无响应', kinds: ['diag', 'forward'], durationMinutes: 30, forwardTargets: ['127.0.0.1:5900'] };

function setup(over: Partial<AssistPolicy> = {}, paths = { page: true, cli: true }) {
  const p = policy(over);
  const consent = new ConsentBroker({ maxLive: p.maxConcurrentSessions });
  const records: Array<[AuditKind, Record<string, unknown>]> = [];
  const sessions = new AssistSessions({ policy: p, consent, audit: { append: (k, f) => void records.push([k, f]) }, consentPaths: () => paths });
  const kinds = () => records.map(([k, f]) => (k === 'consent' ? `consent:${String(f.decision)}` : k === 'session-end' ? `end:${String(f.cause)}` : k));
  return { consent, sessions, records, kinds };
}

describe('AssistSessions', () => {
  // Friday 2026-05-01 10:00 local time
  beforeEach(() => vi.useFakeTimers({ now: new Date(2026, 4, 1, 10, 0) }));
  afterEach(() => vi.useRealTimers());

  it('asks the operator with the engineer\'s identity, the kinds and the targets; a denial ends it', () => {
    const { consent, sessions, records, kinds } = setup();
    const s = sessions.request(req);
    expect(s.state).toBe('pending');
    expect(consent.get(s.id)).toMatchObject({ engineer: '王工', organisation: '维保中心', ticket: 'T-42', capabilities: ['view', 'relay'], maxMinutes: 30 });
    expect(consent.get(s.id)?.purpose.en).toBe('读卡器无响应 (forward to 127.0.0.1:5900)');
    consent.deny(s.id, 'local-page', 'not now');
    expect(sessions.get(s.id)).toMatchObject({ state: 'denied', deniedBy: 'local-page' });
    expect(kinds()).toEqual(['request', 'consent:denied']);
    expect(records[0]![1]).toMatchObject({ engineer: '王工', organisation: '维保中心', ticket: 'T-42', kinds: ['diag', 'forward'], forwardTargets: ['127.0.0.1:5900'] });
    expect(() => sessions.own(s.id, () => undefined)).toThrow(ConsentError);
  });

  it('no answer within the consent timeout is a denial (timed-out)', () => {
    const { sessions, kinds } = setup({ consentTimeoutSeconds: 30 });
    const s = sessions.request(req);
    vi.advanceTimersByTime(29_999);
    expect(sessions.get(s.id)?.state).toBe('pending');
    vi.advanceTimersByTime(1);
    expect(sessions.get(s.id)?.state).toBe('timed-out');
    expect(kinds()).toEqual(['request', 'consent:timed-out']);
  });

  it('approved by the operator, then ended by the operator: the closers run once, the audit says who', () => {
    const { consent, sessions, records, kinds } = setup();
    const s = sessions.request(req);
    consent.approve(s.id, 'local-cli');
    expect(sessions.get(s.id)).toMatchObject({ state: 'running', approvedBy: 'local-cli', endsAt: new Date(2026, 4, 1, 10, 30).toISOString() });
    const closed = vi.fn();
    sessions.own(s.id, closed);
    sessions.own(s.id, closed);
    consent.end(s.id, 'local-page');
    expect(closed).toHaveBeenCalledTimes(1); // the same closer registered twice is one closer
    expect(sessions.get(s.id)).toMatchObject({ state: 'ended', endCause: 'operator', endedBy: 'local-page' });
    expect(kinds()).toEqual(['request', 'consent:approved', 'session-start', 'end:operator']);
    expect(records.find(([k]) => k === 'consent')![1]).toMatchObject({ by: 'local-cli', engineer: '王工' });
  });

  it('ended by the engineer', () => {
    const { consent, sessions, kinds } = setup();
    const s = sessions.request(req);
    consent.approve(s.id, 'local-page');
    const closed = vi.fn();
    sessions.own(s.id, closed);
    expect(sessions.endByEngineer(s.id, 'fixed')).toMatchObject({ state: 'ended', endCause: 'engineer' });
    expect(closed).toHaveBeenCalledOnce();
    expect(kinds().at(-1)).toBe('end:engineer');
  });

  it('the engineer withdrawing a pending request is recorded as withdrawn, not as a session', () => {
    const { sessions, kinds } = setup();
    const s = sessions.request(req);
    expect(sessions.endByEngineer(s.id).state).toBe('withdrawn');
    expect(kinds()).toEqual(['request', 'consent:withdrawn']);
  });

  it('ended by expiry at the requested duration', () => {
    const { consent, sessions, kinds } = setup({ idleTimeoutMinutes: 240 });
    const s = sessions.request(req);
    consent.approve(s.id, 'local-page');
    const closed = vi.fn();
    sessions.own(s.id, closed);
    vi.advanceTimersByTime(30 * 60_000 - 1);
    expect(sessions.get(s.id)?.state).toBe('running');
    vi.advanceTimersByTime(1);
    expect(sessions.get(s.id)).toMatchObject({ state: 'ended', endCause: 'expiry' });
    expect(closed).toHaveBeenCalledOnce();
    expect(kinds().at(-1)).toBe('end:expiry');
  });

  it('ended when idle; traffic keeps it alive', () => {
    const { consent, sessions, kinds } = setup({ idleTimeoutMinutes: 5 });
    const s = sessions.request({ ...req, durationMinutes: 60 });
    consent.approve(s.id, 'local-page');
    vi.advanceTimersByTime(4 * 60_000);
    sessions.touch(s.id);
    vi.advanceTimersByTime(4 * 60_000);
    expect(sessions.get(s.id)?.state).toBe('running'); // 8 min in, 4 idle
    vi.advanceTimersByTime(60_000);
    expect(sessions.get(s.id)).toMatchObject({ state: 'ended', endCause: 'idle', endedBy: 'idle-timeout' });
    expect(kinds().at(-1)).toBe('end:idle');
  });

  it('inside a maintenance window: approved without asking, recorded as the window\'s approval', () => {
    const { sessions, records, kinds } = setup({ maintenanceWindows: [{ name: 'fri-morning', days: ['fri'], from: '09:00', to: '11:00' }] }, { page: false, cli: false });
    const s = sessions.request(req);
    expect(s.state).toBe('running');
    expect(sessions.get(s.id)).toMatchObject({ state: 'running', approvedBy: 'window:fri-morning' });
    expect(kinds()).toEqual(['request', 'consent:approved-by-window', 'session-start']);
    expect(records[1]![1]).toMatchObject({ decision: 'approved-by-window', window: 'fri-morning', by: 'window:fri-morning' });
  });

  it('outside the window with nobody to ask: refused by policy, the broker never sees it', () => {
    const { consent, sessions, records, kinds } = setup({ maintenanceWindows: [{ name: 'night', days: ['fri'], from: '22:00', to: '02:00' }] }, { page: false, cli: false });
    const s = sessions.request(req);
    expect(s).toMatchObject({ state: 'refused', refusal: { reason: 'no_way_to_consent' } });
    expect(consent.liveSessions()).toEqual([]);
    expect(kinds()).toEqual(['request', 'policy-refused']);
    expect(records[1]![1]).toMatchObject({ reason: 'no_way_to_consent', session: s.id });
  });

  it('a policy refusal is audited with its reason (shell off by default)', () => {
    const { sessions, records } = setup();
    expect(sessions.request({ ...req, kinds: ['shell'], forwardTargets: [] })).toMatchObject({ state: 'refused', refusal: { reason: 'kind_not_allowed' } });
    expect(records[1]).toEqual(['policy-refused', expect.objectContaining({ reason: 'kind_not_allowed' })]);
  });

  it('one live session by default: a second request while one runs is too_many_sessions', () => {
    const { consent, sessions } = setup();
    const s = sessions.request(req);
    consent.approve(s.id, 'local-page');
    expect(sessions.request(req)).toMatchObject({ state: 'refused', refusal: { reason: 'too_many_sessions' } });
  });

  it('an answer is accepted once: replayed for an ended session or a session of another start, it is refused', () => {
    const { consent, sessions } = setup();
    const s = sessions.request(req);
    consent.approve(s.id, 'local-page');
    consent.end(s.id, 'local-page');
    expect(() => consent.approve(s.id, 'local-page')).toThrow(/is ended, not pending/);
    expect(() => consent.end(s.id, 'local-page')).toThrow(/already ended/);
    expect(sessions.get(s.id)?.state).toBe('ended');
    const denied = sessions.request(req);
    consent.deny(denied.id, 'local-page');
    expect(() => consent.approve(denied.id, 'local-page')).toThrow(ConsentError);
    expect(sessions.get(denied.id)?.state).toBe('denied');
    // a restarted agent (a new broker) knows no earlier id
    const other = setup();
    expect(() => other.consent.approve(s.id, 'local-page')).toThrow(/no assistance session/);
  });

  it('the agent stopping ends every live session and records it', () => {
    const { consent, sessions, kinds } = setup({ maxConcurrentSessions: 2 });
    const a = sessions.request(req);
    consent.approve(a.id, 'local-page');
    const closed = vi.fn();
    sessions.own(a.id, closed);
    sessions.request(req);
    sessions.close();
    expect(closed).toHaveBeenCalledOnce();
    expect(kinds()).toEqual(['request', 'consent:approved', 'session-start', 'request', 'end:agent-stopping', 'consent:withdrawn']);
  });

  it('a failing audit sink or closer is reported, never thrown into the broker', async () => {
    const consent = new ConsentBroker();
    const errors: unknown[] = [];
    const sessions = new AssistSessions({ policy: policy(), consent, audit: { append: () => Promise.reject(new Error('disk full')) }, consentPaths: () => ({ page: true, cli: true }), onError: (e) => errors.push(e) });
    const s = sessions.request(req);
    consent.approve(s.id, 'local-page');
    sessions.own(s.id, () => {
      throw new Error('socket');
    });
    consent.end(s.id, 'local-page');
    await vi.runAllTimersAsync();
    expect(sessions.get(s.id)?.state).toBe('ended');
    expect(errors.map((e) => (e as Error).message)).toContain('socket');
    expect(errors.map((e) => (e as Error).message)).toContain('disk full');
  });
});
