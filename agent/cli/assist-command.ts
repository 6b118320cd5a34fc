import { parseArgs } from 'node:util';
import { renderTable } from '../core/text-table.js';
import { resolveLang } from '../core/text.js';
import { readCliToken, CLI_TOKEN_FILE } from '../web/cli-token.js';
import type { ConsentSession } from '../web/consent-broker.js';
import { CLI_TOKEN_HEADER } from '../web/plugins/security.js';
import { contextFor, resolveConfig } from './context.js';
import { EXIT } from './exit-codes.js';
import { UsageError, type CliIO } from './io.js';

export const ASSIST_HELP = `用法 / usage: guardpost assist list|approve|deny|end [ID] [--reason TEXT] [--json] [--config FILE | --defaults] [--state-dir DIR]
  Answers remote-assistance requests on this terminal, as the page does, for terminals without a screen:
    list           the pending request (who, organisation, ticket, kinds, why, how long) and recent sessions
    approve ID     allow the pending request          deny ID [--reason]   decline it
    end ID         end a running session (or take back a pending request)
  Talks to the running agent's local API with the per-start token the agent writes, readable only by its user,
  to ${CLI_TOKEN_FILE} in its state directory: run it as the agent's user (or root).
  Exit code: 0 done, 1 refused (unknown id, already answered or ended), 69 no agent running, 77 the token file cannot be read.
`;

const REFUSED = 1;
const NO_PERMISSION = 77;

export async function assistCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      defaults: { type: 'boolean' },
      'state-dir': { type: 'string' },
      reason: { type: 'string' },
      json: { type: 'boolean' },
      lang: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return io.out(ASSIST_HELP), EXIT.ok;
  const [action, id, ...extra] = positionals;
  if (!action || !['list', 'approve', 'deny', 'end'].includes(action)) throw new UsageError(`assist: expected list, approve, deny or end; got ${action ?? 'nothing'}`);
  if (action !== 'list' && (!id || extra.length)) throw new UsageError(`assist ${action}: expected one session ID`);
  if (action === 'list' && id) throw new UsageError('assist list takes no ID');

  // Finding the agent needs no secret: an unset password variable in this shell must not stop the operator.
  const choice = {
    ...(values.config ? { config: values.config } : {}),
    defaults: values.defaults ?? false,
    ...(values['state-dir'] ? { stateDir: values['state-dir'] } : {}),
    readSecrets: false,
  };
  const cfg = resolveConfig(await contextFor(choice, io.env), choice);
  let file;
  try {
    file = await readCliToken(cfg.storage.dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') {
      io.err(`无权读取代理的令牌 / cannot read the agent's token in ${cfg.storage.dir}: run this as the agent's user (or root)`);
      return NO_PERMISSION;
    }
    io.err(`没有正在运行的 Guardpost 代理 / no running agent with a local API for state directory ${cfg.storage.dir} (${code ?? (err as Error).message}). Start one with: guardpost run`);
    return EXIT.unavailable;
  }
  const headers = { [CLI_TOKEN_HEADER]: file.token };
  let res: Response;
  try {
    res =
      action === 'list'
        ? await fetch(new URL('api/consent', file.url), { headers, signal: AbortSignal.timeout(5000) })
        : await fetch(new URL(`api/consent/${encodeURIComponent(id!)}/${action}`, file.url), {
            method: 'POST',
            headers: { ...headers, 'content-type': 'application/json' },
            body: JSON.stringify(values.reason ? { reason: values.reason } : {}),
            signal: AbortSignal.timeout(5000),
          });
  } catch (err) {
    io.err(`代理未应答 / the agent does not answer at ${file.url} (${(err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message})`);
    return EXIT.unavailable;
  }
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    io.err(`拒绝 / refused (${res.status} ${String(body.code ?? '')}): ${String(body.error ?? res.statusText)}`);
    return res.status === 403 ? NO_PERMISSION : REFUSED;
  }
  if (values.json) return io.out(JSON.stringify(body, null, 2)), EXIT.ok;
  const lang = resolveLang(values.lang, io.env);
  if (action === 'list') {
    const view = body as { live: ConsentSession | null; recent: ConsentSession[] };
    const rows = [...(view.live ? [view.live] : []), ...view.recent];
    io.out(rows.length ? table(rows, lang) : lang === 'zh' ? '没有远程协助请求。' : 'No remote-assistance requests.');
    return EXIT.ok;
  }
  const s = body as unknown as ConsentSession;
  io.out(`${s.id} ${s.state} — ${who(s)}${s.decidedBy ? ` (${s.decidedBy})` : ''}`);
  return EXIT.ok;
}

function who(s: ConsentSession): string {
  return s.engineer + (s.organisation ? ` (${s.organisation})` : '');
}

function table(rows: ConsentSession[], lang: 'zh' | 'en'): string {
  const zh = lang === 'zh';
  return renderTable(
    zh ? ['会话', '状态', '工程师', '工单', '内容', '目的', '时长', '决定'] : ['session', 'state', 'engineer', 'ticket', 'wants', 'purpose', 'minutes', 'decided by'],
    rows.map((s) => [s.id, s.state, who(s), s.ticket ?? '', s.capabilities.join(','), s.purpose[lang], String(s.maxMinutes), s.decidedBy ?? s.endedBy ?? (s.state === 'pending' ? `→ ${s.expiresAt}` : '')]),
  );
}
