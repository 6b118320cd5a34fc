import { encodedTransition } from './outbox.js';
import type { AgentState } from './types.js';

const COMMA = Buffer.from(',');

/**
 * Exactly `JSON.stringify(state)` as UTF-8, but each outbox transition is encoded once and reused (outbox.ts), so a
 * commit with a deep outbox costs a copy of the bytes rather than a fresh stringify and encode of every event.
 */
export function serializeState(state: AgentState): Buffer {
  const chunks: Buffer[] = [];
  let sep = '{';
  for (const [key, value] of Object.entries(state)) {
    if (key !== 'outbox') {
      const json = JSON.stringify(value);
      if (json === undefined) continue; // as JSON.stringify does with undefined members
      chunks.push(Buffer.from(`${sep}${JSON.stringify(key)}:${json}`, 'utf8'));
    } else {
      chunks.push(Buffer.from(`${sep}"outbox":[`));
      state.outbox.forEach((t, i) => {
        if (i > 0) chunks.push(COMMA);
        chunks.push(encodedTransition(t));
      });
      chunks.push(Buffer.from(']'));
    }
    sep = ',';
  }
  chunks.push(Buffer.from(sep === '{' ? '{}' : '}'));
  return Buffer.concat(chunks);
}
