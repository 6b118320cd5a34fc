import { splitDiagAnswer, type DiagHeader } from '../../agent/assist/kinds/diag/header.js';
import type { ChannelMux } from '../../agent/tunnel/channels/mux.js';

/**
 * One diagnostic action over a session's channels: a diag channel whose open names the action and its arguments
 * (params `action`, `args` as a JSON string); the agent answers a JSON header line then the body, and closes.
 * A refusal (unknown action, bad arguments) is a header with ok: false and the agent's reason.
 */

/** The biggest answer held in memory: well above a support bundle (agent logs are capped), far below harm. */
const MAX_ANSWER_BYTES = 256 * 1024 * 1024;

export type DiagResult =
  | { ok: true; header: Extract<DiagHeader, { ok: true }>; body: Buffer }
  | { ok: false; action: string; error: string; closedWith?: string };

export async function runDiagAction(mux: ChannelMux, action: string, args: Record<string, unknown>): Promise<DiagResult> {
  let ch;
  try {
    ch = await mux.open({ kind: 'diag', params: { action, args: JSON.stringify(args) } });
  } catch (err) {
    const reason = (err as Error & { reason?: string }).reason;
    return { ok: false, action, error: reason ? `the agent refused the diag channel (${reason})` : (err as Error).message, ...(reason ? { closedWith: reason } : {}) };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  const closedWith = await new Promise<string>((resolve) => {
    ch.once('close', resolve);
    ch.setReader((b) => {
      size += b.length;
      if (size > MAX_ANSWER_BYTES) return ch.close('error');
      chunks.push(b);
    });
  });
  const bytes = Buffer.concat(chunks);
  let answer;
  try {
    answer = splitDiagAnswer(bytes);
  } catch (err) {
    return { ok: false, action, error: `${(err as Error).message} (channel closed: ${closedWith})`, closedWith };
  }
  if (!answer.header.ok) return { ok: false, action, error: answer.header.error, closedWith };
  // An answer cut short (the session ended mid-bundle) is no answer: a half tar.gz must not look like a whole one.
  if (closedWith !== 'done') return { ok: false, action, error: `the answer was cut short: the channel closed with ${closedWith}`, closedWith };
  return { ok: true, header: answer.header, body: answer.body };
}

/** Arguments from `key=value` words: numbers and true/false as JSON, everything else a string. */
export function argsFromPairs(pairs: string[]): Record<string, unknown> | string {
  const out: Record<string, unknown> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) return `"${p}" is not key=value`;
    const key = p.slice(0, eq);
    const raw = p.slice(eq + 1);
    out[key] = /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw === 'true' ? true : raw === 'false' ? false : raw;
  }
  return out;
}
