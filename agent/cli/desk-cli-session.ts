import { isUndecided } from '../../desk/client/assist-client.js';
import { outcomeText, waitingText } from '../../desk/client/assist-render.js';
import type { AssistRequestRow } from '../../desk/store/assist-types.js';
import { EXIT } from './exit-codes.js';
import { UsageError } from './io.js';
import { interruptSignal, type AssistCliContext } from './desk-cli-streams.js';

/**
 * A running session for diag, forward or an assist attach: the one named by --session (checked: this agent, running,
 * approved for the kind), or a new request that waits for the agent's decision. What did not start is told with its
 * reason and becomes the exit code: refused, denied, timed out → 1 (minor: an answer, not a failure); the wait
 * interrupted → the request is withdrawn, 1.
 */

export interface SessionAsk {
  agent: string;
  kinds: string[];
  session?: string | undefined;
  reason?: string | undefined;
  ticket?: string | undefined;
  minutes?: string | undefined;
  targets?: string[] | undefined;
}

export type Acquired = { row: AssistRequestRow; ours: boolean } | { exit: number };

export async function acquireSession(ctx: AssistCliContext, ask: SessionAsk): Promise<Acquired> {
  const { client, io } = ctx;
  if (ask.session) {
    const row = await client.get(ask.session);
    if (row.agentId !== ask.agent) throw new UsageError(`request ${row.id.slice(0, 8)} is a session on ${row.agentId}, not ${ask.agent}`);
    const missing = ask.kinds.filter((k) => !row.kinds.includes(k as never));
    if (missing.length) throw new UsageError(`session ${row.id.slice(0, 8)} was approved for ${row.kinds.join(', ')}, not ${missing.join(', ')}: request a new one`);
    if (row.state !== 'running') {
      io.err(`会话未在进行 / session ${row.id.slice(0, 8)} is not running: ${outcomeText(row) ?? row.state}`);
      return { exit: EXIT.minor };
    }
    return { row, ours: false };
  }
  if (!ask.reason) throw new UsageError(`say why: --reason TEXT (shown to the operator at ${ask.agent}), or use a running session with --session ID`);
  const minutes = ask.minutes === undefined ? undefined : Number(ask.minutes);
  if (minutes !== undefined && !(Number.isInteger(minutes) && minutes >= 1)) throw new UsageError(`--minutes: "${ask.minutes}" is not a whole number of minutes`);
  const asked = await client.request(ask.agent, {
    kinds: ask.kinds,
    reason: ask.reason,
    ...(ask.ticket ? { ticket: ask.ticket } : {}),
    ...(minutes !== undefined ? { durationMinutes: minutes } : {}),
    ...(ask.targets?.length ? { forwardTargets: ask.targets } : {}),
  });
  io.err(`请求 / request ${asked.id.slice(0, 8)} (${asked.id}) → ${ask.agent}: ${asked.kinds.join(', ')}`);
  const { signal, release } = interruptSignal(ctx.streams);
  let row: AssistRequestRow;
  try {
    let told = '';
    row = await client.waitForDecision(asked.id, (r) => {
      if (!isUndecided(r.state) || told === r.state) return;
      told = r.state;
      io.err(waitingText(r));
    }, signal);
  } finally {
    release();
  }
  if (isUndecided(row.state)) {
    // Interrupted: nobody should be asked any longer for a session the engineer no longer waits for.
    await client.end(row.id).catch(() => undefined);
    io.err(`已撤回 / withdrawn: request ${row.id.slice(0, 8)}`);
    return { exit: EXIT.minor };
  }
  const no = outcomeText(row);
  if (no) {
    io.err(no);
    return { exit: EXIT.minor };
  }
  io.err(`已批准 / approved by ${row.approvedBy ?? '?'}: session ${row.sessionId} until ${row.endsAt ?? '?'} (request ${row.id.slice(0, 8)})`);
  return { row, ours: true };
}

/** Ends a session this command requested for itself (diag, forward without --session): nothing is left running. */
export async function endOurs(ctx: AssistCliContext, acquired: { row: AssistRequestRow; ours: boolean }): Promise<void> {
  if (!acquired.ours) return;
  await ctx.client.end(acquired.row.id).catch(() => undefined);
}
