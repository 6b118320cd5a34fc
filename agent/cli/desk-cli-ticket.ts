import type { DeskApiClient } from '../../desk/client/api-client.js';
import { TicketClient, type TicketStepPath } from '../../desk/client/ticket-client.js';
import { ticketChanged, ticketDetail, ticketsTable } from '../../desk/client/ticket-render.js';
import type { Lang } from '../core/text.js';
import { EXIT } from './exit-codes.js';
import { UsageError, type CliIO } from './io.js';

/** What desk-cli-command.ts hands the ticket command. */
export interface TicketCliContext {
  client: DeskApiClient;
  io: CliIO;
  lang: Lang;
  json: boolean;
}

export interface TicketOptions {
  state?: string | undefined;
  assignee?: string | undefined;
  site?: string | undefined;
  agent?: string | undefined;
  limit?: string | undefined;
  note?: string | undefined;
  summary?: string | undefined;
  caller?: string | undefined;
  fault?: string | undefined;
  code?: string | undefined;
  satisfaction?: string | undefined;
  comment?: string | undefined;
}

export const TICKET_USAGE = `ticket list [--state S,..] [--assignee NAME] [--site CODE] [--agent ID] [--limit N]
  ticket show ID
  ticket open AGENT --summary TEXT [--caller WHO] [--fault FAULT_ID] [--code FAULT_CODE]
  ticket dispatch ID --assignee NAME [--note TEXT]
  ticket start|resolve|close|reopen ID [TEXT | --note TEXT]
  ticket follow-up ID --satisfaction 1..5 [--comment TEXT]
  ticket note ID TEXT (or --note TEXT)`;

/** Steps that take nothing but an optional note. */
const NOTE_STEPS: readonly TicketStepPath[] = ['start', 'resolve', 'close', 'reopen'];

/** Words after the ticket id, as one text (`ticket note T-42 客户已回电`), else the option. */
const rest = (words: string[], option: string | undefined): string | undefined => (words.length ? words.join(' ') : option);

/**
 * `desk-cli ticket …`: the hotline's tickets, 受理 → 派单 → 处理 → 回复 → 回访 → 关闭. Every step is recorded as the
 * token's engineer; a step the ticket's state does not allow is the desk's 409, printed by desk-cli as it is.
 */
export async function ticketCommand(ctx: TicketCliContext, words: string[], o: TicketOptions): Promise<number> {
  const [sub, id, ...more] = words;
  const tickets = new TicketClient(ctx.client);
  const { io, lang } = ctx;
  const print = (json: unknown, text: () => string) => io.out(ctx.json ? JSON.stringify(json, null, 2) : text());
  const need = (v: string | undefined, usage: string): string => {
    if (!v) throw new UsageError(usage);
    return v;
  };
  const note = (text = o.note): Record<string, string> => (text ? { note: text } : {});

  switch (sub) {
    case 'list': {
      const list = await tickets.list({ state: o.state, assignee: o.assignee, site: o.site, agent: o.agent, limit: o.limit });
      print({ tickets: list }, () => ticketsTable(list, lang));
      return EXIT.ok;
    }
    case 'show': {
      const view = await tickets.get(need(id, 'ticket show ID (T-000042, or T-42 / 42)'));
      print(view, () => ticketDetail(view, lang));
      return EXIT.ok;
    }
    case 'open': {
      const agentId = need(id ?? o.agent, 'ticket open AGENT --summary TEXT [--caller WHO] [--fault FAULT_ID] [--code FAULT_CODE]');
      const summary = need(rest(more, o.summary), `ticket open ${agentId} needs --summary TEXT: what the caller reported`);
      const ticket = await tickets.open({
        agentId,
        summary,
        ...(o.caller ? { caller: o.caller } : {}),
        ...(o.fault ? { faultId: o.fault } : {}),
        ...(o.code ? { code: o.code } : {}),
      });
      print({ ticket }, () => `${lang === 'zh' ? '已受理' : 'opened'} ${ticket.id} (${ticket.agentId})`);
      return EXIT.ok;
    }
    case 'dispatch': {
      const ticketId = need(id, 'ticket dispatch ID --assignee NAME [--note TEXT]');
      const assignee = need(o.assignee ?? more[0], `ticket dispatch ${ticketId} needs --assignee NAME (the engineer's token name)`);
      const ticket = await tickets.step(ticketId, 'dispatch', { assignee, ...note() });
      print({ ticket }, () => ticketChanged(ticket, lang));
      return EXIT.ok;
    }
    case 'follow-up': {
      const ticketId = need(id, 'ticket follow-up ID --satisfaction 1..5 [--comment TEXT]');
      const score = need(o.satisfaction, `ticket follow-up ${ticketId} needs --satisfaction 1..5 (5: very satisfied)`);
      if (!/^[1-5]$/.test(score)) throw new UsageError(`--satisfaction: "${score}" is not one of 1, 2, 3, 4, 5`);
      const comment = rest(more, o.comment);
      const ticket = await tickets.step(ticketId, 'follow-up', { satisfaction: Number(score), ...(comment ? { comment } : {}) });
      print({ ticket }, () => ticketChanged(ticket, lang));
      return EXIT.ok;
    }
    case 'note': {
      const ticketId = need(id, 'ticket note ID TEXT');
      const r = await tickets.note(ticketId, need(rest(more, o.note), `ticket note ${ticketId} TEXT (or --note TEXT)`));
      print(r, () => `${r.ticket.id}: ${lang === 'zh' ? '已添加备注' : 'note added'}`);
      return EXIT.ok;
    }
    default: {
      const step = NOTE_STEPS.find((s) => s === sub);
      if (!step) throw new UsageError(sub ? `unknown ticket command "${sub}"\n${TICKET_USAGE}` : TICKET_USAGE);
      const ticket = await tickets.step(need(id, `ticket ${step} ID [--note TEXT]`), step, note(rest(more, o.note)));
      print({ ticket }, () => ticketChanged(ticket, lang));
      return EXIT.ok;
    }
  }
}
