import { auditTable } from '../../desk/client/assist-render.js';
import { EXIT } from './exit-codes.js';
import { UsageError } from './io.js';
import type { AssistCliContext } from './desk-cli-streams.js';

/**
 * `desk-cli audit AGENT [--after SEQ] [--limit N]`: the agent's remote-assistance audit records as the desk received
 * them, and whether their hash chain is intact at the desk (a gap or a fork is a break). Exit 1 when it breaks, so a
 * script can watch for tampering.
 */
export async function auditCommand(ctx: AssistCliContext, words: string[], o: { after?: string | undefined; limit?: string | undefined }): Promise<number> {
  const [agent] = words;
  if (!agent) throw new UsageError('audit AGENT [--after SEQ] [--limit N]');
  const r = await ctx.client.audit(agent, { after: o.after, limit: o.limit });
  ctx.io.out(ctx.json ? JSON.stringify(r, null, 2) : auditTable(r.agent, r.records, r.chain, ctx.lang));
  return r.chain.intact ? EXIT.ok : EXIT.minor;
}
