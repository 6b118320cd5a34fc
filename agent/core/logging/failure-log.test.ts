import { describe, expect, it } from 'vitest';
import { FailureLog } from './failure-log.js';

function recorder(): { logger: { warn: (o: object, m: string) => void; info: (o: object, m: string) => void }; lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    logger: {
      warn: (_o, m) => lines.push(`warn ${m}`),
      info: (_o, m) => lines.push(`info ${m}`),
    },
  };
}

describe('FailureLog', () => {
  it('logs a repeated failure once, counts repeats, and logs the recovery with the count', () => {
    const { logger, lines } = recorder();
    const log = new FailureLog(logger as never);
    log.success('desk');
    for (let i = 0; i < 5; i++) log.failure('desk', new Error('connect ECONNREFUSED'));
    expect(log.isFailing('desk')).toBe(true);
    expect(log.failures('desk')).toBe(5);
    log.success('desk');
    log.success('desk');
    expect(lines).toEqual(['warn desk: started failing: connect ECONNREFUSED', 'info desk: working again after 5 failures']);
    expect(log.failures('desk')).toBe(0);
  });

  it('logs again when the error changes while failing', () => {
    const { logger, lines } = recorder();
    const log = new FailureLog(logger as never);
    log.failure('state', 'EACCES');
    log.failure('state', 'EACCES');
    log.failure('state', 'ENOSPC');
    log.failure('state', 'ENOSPC');
    log.success('state');
    expect(lines).toEqual([
      'warn state: started failing: EACCES',
      'warn state: still failing, now: ENOSPC',
      'info state: working again after 4 failures',
    ]);
  });

  it('keeps sources apart', () => {
    const { logger, lines } = recorder();
    const log = new FailureLog(logger as never);
    log.failure('a', 'x');
    log.failure('b', 'x');
    log.failure('a', 'x');
    log.success('b');
    expect(lines).toEqual(['warn a: started failing: x', 'warn b: started failing: x', 'info b: working again after 1 failure']);
    expect(log.isFailing('a')).toBe(true);
  });
});
