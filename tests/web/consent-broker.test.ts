import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConsentBroker, ConsentError, type ConsentSession } from '../../agent/web/consent-broker.js';

const purpose = { zh: '检查读卡器驱动', en: 'check the reader driver' };

describe('ConsentBroker', () => {
  beforeEach(() => vi.useFakeTimers({ now: new Date('2026-05-01T02:00:00Z') }));
  afterEach(() => vi.useRealTimers());

  it('request → approve → end, with an event for every change', () => {
    const broker = new ConsentBroker();
    const seen: Array<[string, string | undefined]> = [];
    broker.events.on('changed', (s) => seen.push([s.state, s.decidedBy ?? s.endedBy]));
    const s = broker.request({ engineer: ' 王工 ', organisation: '维保中心', ticket: 'T-9', purpose, capabilities: ['view', 'terminal', 'view'] });
    expect(s).toMatchObject({ state: 'pending', engineer: '王工', capabilities: ['view', 'terminal'], expiresAt: '2026-05-01T02:02:00.000Z', maxMinutes: 60 });
    expect(broker.live()?.id).toBe(s.id);
    broker.approve(s.id, 'local-page');
    expect(broker.get(s.id)).toMatchObject({ state: 'active', decidedBy: 'local-page', endsAt: '2026-05-01T03:00:00.000Z' });
    broker.end(s.id, 'local-page', 'done');
    expect(broker.get(s.id)).toMatchObject({ state: 'ended', endedBy: 'local-page', reason: 'done' });
    expect(broker.live()).toBeUndefined();
    expect(seen).toEqual([
      ['pending', undefined],
      ['active', 'local-page'],
      ['ended', 'local-page'],
    ]);
  });

  it('no answer is a no: the prompt expires after its timeout', () => {
    const broker = new ConsentBroker();
    const s = broker.request({ engineer: '王工', purpose, capabilities: ['files'], timeoutSeconds: 30 });
    vi.advanceTimersByTime(29_999);
    expect(broker.get(s.id)?.state).toBe('pending');
    vi.advanceTimersByTime(1);
    expect(broker.get(s.id)).toMatchObject({ state: 'expired', endedBy: 'timeout' });
    expect(() => broker.approve(s.id, 'local-page')).toThrow(/is expired, not pending/);
  });

  it('an approved session ends by itself at its time limit', () => {
    const broker = new ConsentBroker();
    const s = broker.request({ engineer: '王工', purpose, capabilities: ['view'], maxMinutes: 5 });
    broker.approve(s.id, 'local-page');
    vi.advanceTimersByTime(5 * 60_000);
    expect(broker.get(s.id)).toMatchObject({ state: 'ended', endedBy: 'time-limit' });
  });

  it('one live session at a time; wrong states and bad requests are clear errors', () => {
    const broker = new ConsentBroker();
    const s = broker.request({ engineer: '王工', purpose, capabilities: ['view'] });
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        return (err as ConsentError).code;
      }
      return 'no error';
    };
    expect(code(() => broker.request({ engineer: '李工', purpose, capabilities: ['view'] }))).toBe('busy');
    expect(code(() => broker.deny('nope', 'local-page'))).toBe('not_found');
    expect(code(() => broker.request({ engineer: ' ', purpose, capabilities: ['view'] }))).toBe('busy');
    broker.deny(s.id, 'local-page');
    expect(code(() => broker.end(s.id, 'local-page'))).toBe('wrong_state');
    expect(code(() => broker.request({ engineer: ' ', purpose, capabilities: ['view'] }))).toBe('invalid');
    expect(code(() => broker.request({ engineer: '李工', purpose, capabilities: [] }))).toBe('invalid');
    expect(code(() => broker.request({ engineer: '李工', purpose, capabilities: ['root' as 'view'] }))).toBe('invalid');
  });

  it('the desk can withdraw a pending request; close() ends what is live; only a few finished ones are kept', () => {
    const broker = new ConsentBroker({ keepRecent: 2 });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const s = broker.request({ engineer: `工程师${i}`, purpose, capabilities: ['view'] });
      ids.push(s.id);
      broker.end(s.id, 'desk');
    }
    expect(broker.recent().map((s: ConsentSession) => [s.engineer, s.state])).toEqual([
      ['工程师3', 'withdrawn'],
      ['工程师2', 'withdrawn'],
    ]);
    const live = broker.request({ engineer: '王工', purpose, capabilities: ['view'] });
    broker.approve(live.id, 'local-page');
    broker.close();
    expect(broker.get(live.id)).toMatchObject({ state: 'ended', endedBy: 'agent', reason: 'agent stopping' });
  });
});
