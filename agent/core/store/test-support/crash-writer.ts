/**
 * Child process of the crash-safety test: appends transitions through a StateStore as fast as it can and prints
 * "<seq> <faultId>" for each one once appendTransitions reported it durable. The parent kills it with SIGKILL.
 * It first acks what the parent already verified (argv[3]), so the file stays small across a hundred runs.
 * Usage: node --import tsx crash-writer.ts <dir> [ackUpTo]
 */
import { StateStore } from '../state-store.js';
import { makeTransition } from './transitions.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: crash-writer.ts <dir>');

const store = await StateStore.open({ dir, outbox: { maxEvents: 1_000_000, maxBytes: 1_000_000_000 } });
await store.ackUpTo(Number(process.argv[3] ?? 0));
let n = 0;

// Several writers at once, so kills also land while writes are being coalesced.
async function writer(lane: number): Promise<never> {
  for (;;) {
    const batch = Array.from({ length: 1 + (n % 4) }, () => {
      const id = `${process.pid}-${lane}-${n++}`;
      return makeTransition(n % 2 ? 'opened' : 'resolved', id, n % 3 ? 'major' : 'minor');
    });
    const { transitions, durable } = await store.appendTransitions(batch);
    // Pipes are written synchronously on Linux: a printed seq was really reported before the kill.
    if (durable) process.stdout.write(transitions.map((t) => `${t.seq} ${t.fault.id}\n`).join(''));
  }
}

await Promise.all([writer(0), writer(1), writer(2)]);
