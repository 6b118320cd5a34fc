import type { AuditLog } from '../audit/audit-log.js';
import { parseLine } from '../audit/record.js';

/** Lines read per step while looking through the log at start. */
const PAGE_LINES = 500;
const PAGE_BYTES = 1024 * 1024;

/**
 * Sessions the log shows as started and never ended: the agent that ran them died (power cut, SIGKILL, a crash)
 * without recording their end. At start each gets its session-end, cause agent-restart, so the audit — here and at
 * the desk — never shows a session as still running that ended with the process. Returns how many were closed.
 */
export async function closeUnfinishedSessions(log: AuditLog): Promise<number> {
  const open = new Map<string, string | null>(); // session → engineer
  for (let seq = 0; seq < log.lastSeq; ) {
    const page = await log.linesAfter(seq, PAGE_LINES, PAGE_BYTES);
    if (!page.length) break;
    for (const { line } of page) {
      const parsed = parseLine(line);
      if (!parsed.ok) continue; // `guardpost audit verify` is where damage is reported
      const r = parsed.record as unknown as { kind: string; session?: unknown; engineer?: unknown };
      if (typeof r.session !== 'string') continue;
      if (r.kind === 'session-start') open.set(r.session, typeof r.engineer === 'string' ? r.engineer : null);
      else if (r.kind === 'session-end') open.delete(r.session);
    }
    seq = page.at(-1)!.seq;
  }
  for (const [session, engineer] of open) {
    await log.append('session-end', { session, cause: 'agent-restart', by: 'agent', engineer, reason: 'the agent stopped without ending it (crash or power loss)' });
  }
  return open.size;
}
