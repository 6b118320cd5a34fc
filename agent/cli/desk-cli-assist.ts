import { requestDetail, requestsTable } from '../../desk/client/assist-render.js';
import { EXIT } from './exit-codes.js';
import { UsageError } from './io.js';
import { acquireSession } from './desk-cli-session.js';
import { attachShell } from './desk-cli-shell.js';
import type { AssistCliContext } from './desk-cli-streams.js';

export interface AssistOptions {
  kind?: string | undefined;
  reason?: string | undefined;
  ticket?: string | undefined;
  minutes?: string | undefined;
  target?: string[] | undefined;
  session?: string | undefined;
  agent?: string | undefined;
  state?: string | undefined;
  limit?: string | undefined;
}

const KINDS = ['diag', 'shell', 'forward'];

/**
 * `desk-cli assist AGENT --kind … --reason …` asks for a session, waits for the agent's decision and, for a shell,
 * attaches the engineer's terminal; `assist list | show ID | end ID` follow and end requests.
 */
export async function assistCommand(ctx: AssistCliContext, words: string[], o: AssistOptions): Promise<number> {
  const [first, id] = words;
  const { client, io, lang } = ctx;
  const print = (json: unknown, text: () => string) => io.out(ctx.json ? JSON.stringify(json, null, 2) : text());
  switch (first) {
    case undefined:
      throw new UsageError('assist AGENT --kind diag|shell|forward --reason TEXT | assist list | assist show ID | assist end ID');
    case 'list': {
      const requests = await client.list({ agent: o.agent, state: o.state, limit: o.limit });
      print({ requests }, () => requestsTable(requests, lang));
      return EXIT.ok;
    }
    case 'show': {
      if (!id) throw new UsageError('assist show ID (a request id or its first 8 characters; see desk-cli assist list)');
      const request = await client.get(id);
      print({ request }, () => requestDetail(request, lang));
      return EXIT.ok;
    }
    case 'end': {
      if (!id) throw new UsageError('assist end ID');
      const r = await client.end(id);
      print(r, () => `${lang === 'zh' ? '已请求结束' : 'end requested'} ${r.request.id.slice(0, 8)} (${r.request.agentId}): ${r.delivery}`);
      return EXIT.ok;
    }
    default:
      return requestAndAttach(ctx, first, o);
  }
}

async function requestAndAttach(ctx: AssistCliContext, agent: string, o: AssistOptions): Promise<number> {
  const kinds = [...new Set((o.kind ?? '').split(',').map((k) => k.trim()).filter(Boolean))];
  if (!kinds.length) throw new UsageError(`assist ${agent} needs --kind diag|shell|forward (several: --kind diag,forward)`);
  const unknown = kinds.filter((k) => !KINDS.includes(k));
  if (unknown.length) throw new UsageError(`--kind: ${unknown.join(', ')} is not one of ${KINDS.join(', ')}`);
  if (kinds.includes('forward') && !o.target?.length && !o.session) throw new UsageError('a forward session names its targets: --target HOST:PORT (repeat for more)');
  const got = await acquireSession(ctx, { agent, kinds, session: o.session, reason: o.reason, ticket: o.ticket, minutes: o.minutes, targets: o.target });
  if ('exit' in got) return got.exit;
  const { row } = got;
  if (ctx.json) ctx.io.out(JSON.stringify({ request: row }, null, 2));
  if (!kinds.includes('shell')) {
    const short = row.id.slice(0, 8);
    ctx.io.err(
      `会话进行中 / session running: desk-cli diag ${agent} ACTION --session ${short}` +
        (kinds.includes('forward') ? `; desk-cli forward ${agent} HOST:PORT --listen 127.0.0.1:PORT --session ${short}` : '') +
        `; desk-cli assist end ${short}`,
    );
    if (!ctx.json) ctx.io.out(row.id);
    return EXIT.ok;
  }
  const attached = await ctx.client.attach(row.id);
  try {
    return await attachShell(ctx, row, attached);
  } finally {
    attached.close();
  }
}
