import type { FaultTransition } from '../core/faults/types.js';

/**
 * The last transitions the agent recorded since it started, newest last. The outbox alone is not enough for the
 * page's history: acknowledged transitions leave it as soon as the desk confirms them.
 */
export class TransitionRing {
  private readonly items: FaultTransition[] = [];

  constructor(private readonly capacity = 50) {}

  push(list: readonly FaultTransition[]): void {
    this.items.push(...list);
    if (this.items.length > this.capacity) this.items.splice(0, this.items.length - this.capacity);
  }

  list(): readonly FaultTransition[] {
    return this.items;
  }
}
