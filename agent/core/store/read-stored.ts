import { join } from 'node:path';
import { readJsonFile } from './json-file.js';
import { OutboxJournal } from './journal/outbox-journal.js';
import { replayJournal } from './replay.js';
import { checkStateFile, emptyState } from './state-shape.js';
import { OUTBOX_DIR, STATE_FILE } from './state-store.js';
import type { AgentState } from './types.js';

/**
 * What a state directory holds, read without changing anything: the checkpoint with the journal replayed onto it,
 * as the next start would see it (without its repairs). For inspection while the agent runs and for tests.
 */
export async function readStoredState(dir: string): Promise<{ state: AgentState; problems: string[] }> {
  const problems: string[] = [];
  const file = await readJsonFile(join(dir, STATE_FILE));
  let base = emptyState();
  if (file.kind === 'bad') problems.push(file.reason);
  if (file.kind === 'ok') {
    const checked = checkStateFile(file.value);
    if (checked.ok) {
      base = checked.state;
      problems.push(...checked.skipped);
    } else problems.push(`${join(dir, STATE_FILE)}: ${checked.problem}`);
  }
  const { records, damage } = await OutboxJournal.open({ dir: join(dir, OUTBOX_DIR), now: () => new Date(), readOnly: true });
  if (damage) problems.push(...damage.reasons);
  return { state: replayJournal(base, records), problems };
}
