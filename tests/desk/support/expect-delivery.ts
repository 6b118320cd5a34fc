import { expect } from 'vitest';
import type { FaultTransition } from '../../../agent/core/faults/types.js';
import type { Desk } from '../../../desk/desk.js';
import { deskEvents, type TestAgent, type TestDesk } from './harness.js';

/** Records every transition an agent assigns a seq to (across restarts: pass the same list). */
export function recordTransitions(a: TestAgent, into: FaultTransition[] = []): FaultTransition[] {
  a.agent.events.on('transitions', (list) => into.push(...list));
  return into;
}

/**
 * The desk holds the agent's transitions: each seq once, committed in seq order, none missing except 'updated' ones
 * the outbox coalesced into a later update of the same occurrence.
 */
export function expectDeliveredOnceInOrder(d: TestDesk, agentId: string, produced: FaultTransition[]): void {
  const rows = deskEvents(d, agentId);
  const seqs = rows.map((r) => r.seq);
  expect(new Set(seqs).size, 'no seq stored twice').toBe(seqs.length);
  expect(seqs, 'committed in seq order').toEqual([...seqs].sort((a, b) => a - b));
  // The outbox coalesces successive 'updated' transitions of one occurrence: the older one may never be sent.
  const delivered = new Set(seqs);
  const sorted = [...produced].sort((a, b) => a.seq - b.seq);
  const missing = sorted.filter((t) => !delivered.has(t.seq));
  for (const t of missing) {
    const next = sorted.find((x) => x.seq > t.seq && x.fault.id === t.fault.id);
    expect(`${t.kind} seq ${t.seq} then ${next?.kind ?? 'nothing'}`, 'only coalesced updates may be missing').toBe(`updated seq ${t.seq} then updated`);
  }
  const byFault = new Map(produced.map((t) => [t.seq, `${t.kind}:${t.fault.id}`]));
  expect(rows.map((r) => `${r.kind}:${r.fault_id}`)).toEqual(seqs.map((s) => byFault.get(s)));
}

export function expectSameActiveFaults(desk: Desk, a: TestAgent): void {
  const deskSide = desk.store
    .listFaults({ agent: a.id, state: ['active'] })
    .map((f) => `${f.id}:${f.severity}:${f.state}`)
    .sort();
  const agentSide = a.agent.engine
    .active()
    .map((f) => `${f.id}:${f.severity}:${f.state}`)
    .sort();
  expect(deskSide).toEqual(agentSide);
}
