import { describe, expect, it } from 'vitest';
import { serializeState } from './state-serialize.js';
import { emptyState } from './state-shape.js';
import { makeTransition } from './test-support/transitions.js';
import type { AgentState } from './types.js';

describe('serializeState', () => {
  it('is byte for byte JSON.stringify, empty or full', () => {
    const empty = emptyState();
    expect(serializeState(empty).toString('utf8')).toBe(JSON.stringify(empty));
    const full: AgentState = {
      ...emptyState(),
      seq: 3,
      faults: { k: makeTransition('opened', 'a').fault },
      outbox: [1, 2, 3].map((seq) => ({ seq, ...makeTransition('opened', `中文-${seq}`, 'minor', { changed: ['x'] }) })),
      counters: { outboxEvicted: 2 },
      checkState: { log: { offset: 5, names: ['a', 'é'] } },
      outboxOverflowing: true,
    };
    expect(serializeState(full).toString('utf8')).toBe(JSON.stringify(full));
    const withUndefined = { ...full, outboxOverflowing: undefined } as unknown as AgentState;
    expect(serializeState(withUndefined).toString('utf8')).toBe(JSON.stringify(withUndefined));
  });
});
