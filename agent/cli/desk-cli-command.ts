import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ApiError, DeskApiClient } from '../../desk/client/api-client.js';
import { AssistClient } from '../../desk/client/assist-client.js';
import { notifyTable } from '../../desk/client/notify-render.js';
import { agentsTable, cst, faultsTable, reportTable, timelineTable } from '../../desk/client/render.js';
import type { ChannelStatus } from '../../desk/notify/notify-service.js';
import { loadDeskConfig } from '../../desk/config.js';
import type { ServiceReport } from '../../desk/service-report.js';
import { SqliteDeskStore } from '../../desk/store/sqlite-store.js';
import type { AgentRow, FaultRow, TimelineEntry } from '../../desk/store/types.js';
import { resolveLang } from '../core/text.js';
import { EXIT } from './exit-codes.js';
import { UsageError, type CliIO } from './io.js';
import { assistCommand } from './desk-cli-assist.js';
import { auditCommand } from './desk-cli-audit.js';
import { diagCommand } from './desk-cli-diag.js';
import { forwardCommand } from './desk-cli-forward.js';
import { ticketCommand, TICKET_USAGE } from './desk-cli-ticket.js';
import { ticketFiguresText } from '../../desk/client/ticket-render.js';
import { fleetCsv, fleetText } from '../../desk/client/fleet-render.js';
import { printFleet } from './desk-cli-report.js';
import type { FleetSummary } from '../../desk/fleet-report.js';
import type { TicketFigures } from '../../desk/tickets/ticket-types.js';
import { processStreams, type AssistCliContext, type DeskCliStreams } from './desk-cli-streams.js';

export const DESK_CLI_HELP = `用法 / usage: guardpost desk-cli <command> [options]
  agents                      agents, online or not, with their open faults   [--site S] [--online]
  faults                      faults   [--severity critical,major] [--state active|open|acknowledged|resolved]
                                       [--site S] [--agent ID] [--since TIME] [--until TIME] [--limit N]
  ack FAULT_ID [--note TEXT]  acknowledge a fault (id or its first 8 characters); it travels to the agent
  timeline FAULT_ID           everything that happened to one fault
  report [--month YYYY-MM]    service figures against the contract targets (month in China Standard Time), and the
         [--site S]           fleet: compliance per site, worst terminals, faults by code against the previous month,
         [--format table|json|csv|html|pdf] [--out FILE]  agents that did not report (pdf: chromium)
  enroll-code --site CODE [--ttl 24h]   a one-time enrollment code for a site's terminal, with the line to run there
  certs AGENT                 the client certificates issued to an agent, and which are revoked
  revoke AGENT                revoke an agent: its connection closes (4010) and it is refused until enrolled again
Tickets (the hotline's loop 受理 → 派单 → 处理 → 回复 → 回访 → 关闭; one per fault, or opened for a call):
  ${TICKET_USAGE}
  notify                      the notification channels and their health (pending, sent, merged, failed, last error)
  notify test CHANNEL         queue a test message to one channel (proves its key, signature and network)
  token create NAME [--save]  a token for the engineer API (shown once; --save keeps it in DIR/cli-token)
  token list | token revoke NAME
Remote assistance (the agent's policy and its operator decide; nothing starts without their consent):
  assist AGENT --kind diag|shell|forward[,..] --reason TEXT [--ticket T] [--minutes N] [--target HOST:PORT ...]
                              ask, wait for consent (Ctrl-C withdraws); a shell attaches this terminal
                              (raw mode, window size passed through, Ctrl-] detaches; exit status = the shell's)
                              [--session ID] re-attaches a running session
  assist list [--agent A] [--state S,..] | assist show ID | assist end ID
  diag AGENT ACTION [--args JSON | key=value ...] [--out FILE] [--session ID | --reason TEXT]
                              one action: run-checks [check=ID], status, tail-log log=agent [lines=N],
                              bundle (tar.gz: needs --out on a terminal), test-endpoint check=ID, rescan-devices,
                              report [month=YYYY-MM] [format=json] (the terminal's 巡检报告, HTML)
  forward AGENT PORT|HOST:PORT --listen 127.0.0.1:LOCALPORT [--session ID | --reason TEXT]
                              a local listener; each connection is forwarded to the target; Ctrl-C stops
  audit AGENT [--after SEQ] [--limit N]   the agent's audit records and whether their chain is intact
  Exit: 0 done; 1 refused, denied, timed out or withdrawn (or an audit chain with breaks); the shell's own status;
  64 usage; 69 desk unreachable or the session ended under us.
Options: --json, --lang zh|en. Where the desk is: --dir DIR (its desk.json, ca.pem and a saved token) or
  $GUARDPOST_DESK_DIR; or --url https://HOST:PORT --ca FILE; the token: --token, $GUARDPOST_DESK_TOKEN.
`;

const TOKEN_FILE = 'cli-token';

/** `streams`: the terminal and signals the interactive commands use (tests pass pipes). */
export async function deskCliCommand(argv: string[], io: CliIO, streams: DeskCliStreams = processStreams): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      dir: { type: 'string', short: 'd' },
      url: { type: 'string' },
      ca: { type: 'string' },
      token: { type: 'string' },
      json: { type: 'boolean' },
      lang: { type: 'string' },
      site: { type: 'string' },
      online: { type: 'boolean' },
      severity: { type: 'string' },
      state: { type: 'string' },
      agent: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      limit: { type: 'string' },
      note: { type: 'string' },
      month: { type: 'string' },
      format: { type: 'string' },
      save: { type: 'boolean' },
      kind: { type: 'string' },
      reason: { type: 'string' },
      ticket: { type: 'string' },
      minutes: { type: 'string' },
      target: { type: 'string', multiple: true },
      session: { type: 'string' },
      args: { type: 'string' },
      out: { type: 'string', short: 'o' },
      listen: { type: 'string' },
      after: { type: 'string' },
      ttl: { type: 'string' },
      assignee: { type: 'string' },
      summary: { type: 'string' },
      caller: { type: 'string' },
      fault: { type: 'string' },
      code: { type: 'string' },
      satisfaction: { type: 'string' },
      comment: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [cmd, ...args] = positionals;
  if (values.help || !cmd) return io.out(DESK_CLI_HELP), values.help ? EXIT.ok : EXIT.usage;
  const dir = values.dir ?? io.env.GUARDPOST_DESK_DIR;
  const lang = resolveLang(values.lang, io.env);
  const print = (json: unknown, table: () => string) => io.out(values.json ? JSON.stringify(json, null, 2) : table());

  if (cmd === 'token') return tokenCommand(args, dir, values.save === true, values.json === true, io);

  const client = connect(dir, values, io);
  const assist = (): AssistCliContext => ({ client: new AssistClient(client), io, lang, json: values.json === true, streams });
  try {
    switch (cmd) {
      case 'assist':
        return await assistCommand(assist(), args, values);
      case 'diag':
        return await diagCommand(assist(), args, values);
      case 'forward':
        return await forwardCommand(assist(), args, values);
      case 'audit':
        return await auditCommand(assist(), args, values);
      case 'agents': {
        const r = await client.get<{ agents: AgentRow[] }>('/api/v1/agents', { site: values.site, online: values.online ? 'true' : undefined });
        print(r, () => agentsTable(r.agents, lang));
        return EXIT.ok;
      }
      case 'faults': {
        const r = await client.get<{ faults: FaultRow[] }>('/api/v1/faults', {
          severity: values.severity,
          state: values.state,
          site: values.site,
          agent: values.agent,
          since: values.since,
          until: values.until,
          limit: values.limit,
        });
        print(r, () => faultsTable(r.faults, lang));
        return EXIT.ok;
      }
      case 'ack': {
        const id = need(args[0], 'ack needs a FAULT_ID (see guardpost desk-cli faults)');
        const r = await client.post<{ acknowledgement: { id: number; faultId: string; by: string }; delivery: string }>(`/api/v1/faults/${encodeURIComponent(id)}/ack`, values.note ? { note: values.note } : {});
        print(r, () => `${lang === 'zh' ? '已确认' : 'acknowledged'} ${r.acknowledgement.faultId} (${r.acknowledgement.by}); ${r.delivery}`);
        return EXIT.ok;
      }
      case 'timeline': {
        const id = need(args[0], 'timeline needs a FAULT_ID');
        const r = await client.get<{ fault: FaultRow; entries: TimelineEntry[] }>(`/api/v1/faults/${encodeURIComponent(id)}/timeline`);
        print(r, () => timelineTable(r.fault, r.entries, lang));
        return EXIT.ok;
      }
      case 'report': {
        if (values.month !== undefined && !/^[0-9]{4}-(0[1-9]|1[0-2])$/.test(values.month)) throw new UsageError(`月份 "${values.month}" 格式错误，应为 YYYY-MM / --month "${values.month}" is not a month: expected YYYY-MM`);
        const format = values.format ?? (values.json ? 'json' : 'table');
        if (!['table', 'json', 'csv', 'html', 'pdf'].includes(format)) throw new UsageError(`未知格式 "${format}"，可选 table、json、csv、html、pdf / unknown --format "${format}": use table, json, csv, html or pdf`);
        const r = await client.get<ServiceReport & { month: string; tickets: TicketFigures; fleet: FleetSummary }>('/api/v1/report', { month: values.month, site: values.site });
        if (format === 'csv') return io.out(fleetCsv(r.month, r.fleet)), EXIT.ok;
        if (format === 'json') return io.out(JSON.stringify(r, null, 2)), EXIT.ok;
        if (format === 'html' || format === 'pdf') return await printFleet(r, format, values.out, values.site, io);
        io.out(`${reportTable(r, lang)}\n\n${fleetText(r.fleet, lang)}\n\n${ticketFiguresText(r.tickets, lang)}`);
        return EXIT.ok;
      }
      case 'ticket':
        return await ticketCommand({ client, io, lang, json: values.json === true }, args, values);
      case 'enroll-code': {
        const site = need(values.site, 'enroll-code needs --site CODE (the institution code the terminal belongs to)');
        const ttlHours = parseTtlHours(values.ttl ?? '24h');
        const r = await client.post<{ code: string; expiresAt: string; command: string; enrollUrl: string | null }>('/api/v1/enroll-codes', { site, ttlHours });
        const warn = r.enrollUrl ? '' : `\n${lang === 'zh' ? '注意：desk.json 没有 enroll 部分，该注册码无法使用' : 'note: desk.json has no enroll section; the code cannot be used until it has'}`;
        print(r, () => `${r.code}\n${lang === 'zh' ? '有效期至' : 'valid until'} ${cst(r.expiresAt)} (UTC+8)${lang === 'zh' ? '，仅可使用一次' : ', single use'}\n${lang === 'zh' ? '在终端上执行' : 'on the terminal run'}:\n  ${r.command}${warn}`);
        return EXIT.ok;
      }
      case 'certs': {
        const agent = need(args[0], 'certs needs an AGENT id');
        const r = await client.get<{ certs: { serial: string; via: string; issuedAt: string; notAfter: string; revokedAt: string | null; revokeReason: string | null }[] }>(`/api/v1/agents/${encodeURIComponent(agent)}/certs`);
        print(r, () => r.certs.map((c) => `${c.serial.slice(0, 16)}…\t${c.via}\t${cst(c.issuedAt)} → ${cst(c.notAfter)}\t${c.revokedAt ? `revoked ${cst(c.revokedAt)} (${c.revokeReason})` : 'valid'}`).join('\n') || (lang === 'zh' ? '没有记录的证书' : 'no certificates on record'));
        return EXIT.ok;
      }
      case 'revoke': {
        const agent = need(args[0], 'revoke needs an AGENT id');
        const r = await client.post<{ revokedCerts: number; disconnected: boolean }>(`/api/v1/agents/${encodeURIComponent(agent)}/revoke`, {});
        print(r, () => `${lang === 'zh' ? '已吊销' : 'revoked'} ${agent}: ${r.revokedCerts} ${lang === 'zh' ? '张证书' : 'certificate(s)'}${r.disconnected ? (lang === 'zh' ? '，连接已断开' : ', connection closed') : ''}`);
        return EXIT.ok;
      }
      case 'notify': {
        if (args[0] === 'test') {
          const channel = need(args[1], 'notify test needs a CHANNEL (see guardpost desk-cli notify)');
          const r = await client.post<{ queued: number }>('/api/v1/notify/test', { channel });
          print(r, () => (lang === 'zh' ? `测试消息已排队（#${r.queued}），发送结果见 guardpost desk-cli notify` : `test message queued (#${r.queued}); see guardpost desk-cli notify for the outcome`));
          return EXIT.ok;
        }
        if (args[0] !== undefined) throw new UsageError(`notify: unknown action "${args[0]}" (notify, or notify test CHANNEL)`);
        const r = await client.get<{ configured: boolean; channels: ChannelStatus[] }>('/api/v1/notify');
        print(r, () => notifyTable(r, lang));
        return r.channels.some((c) => c.consecutiveFailures > 0) ? EXIT.minor : EXIT.ok;
      }
      default:
        throw new UsageError(`unknown desk-cli command "${cmd}" (agents, faults, ack, timeline, report, ticket, enroll-code, certs, revoke, notify, token, assist, diag, forward, audit)`);
    }
  } catch (err) {
    if (err instanceof ApiError) {
      io.err(`desk: ${err.message} (HTTP ${err.status})`);
      return err.status === 401 ? EXIT.config : EXIT.minor;
    }
    if (err instanceof UsageError) throw err;
    io.err(`服务台无法连接 / cannot reach the desk API: ${(err as Error).message}`);
    return EXIT.unavailable;
  }
}

/** "24h", "90m", "7d" or a number of hours. */
function parseTtlHours(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([mhd]?)$/.exec(text.trim());
  if (!m) throw new UsageError(`--ttl "${text}": give e.g. 30m, 24h or 7d`);
  const n = Number(m[1]);
  return m[2] === 'm' ? n / 60 : m[2] === 'd' ? n * 24 : n;
}

function need(v: string | undefined, msg: string): string {
  if (!v) throw new UsageError(msg);
  return v;
}

function connect(dir: string | undefined, v: { url?: string; ca?: string; token?: string }, io: CliIO): DeskApiClient {
  let url = v.url ?? io.env.GUARDPOST_DESK_URL;
  let caFile = v.ca;
  let token = v.token ?? io.env.GUARDPOST_DESK_TOKEN;
  if (dir) {
    const cfg = loadDeskConfig(dir);
    const host = cfg.api.host === '0.0.0.0' ? '127.0.0.1' : cfg.api.host.includes(':') ? `[${cfg.api.host}]` : cfg.api.host;
    url ??= `https://${host}:${cfg.api.port}`;
    caFile ??= cfg.tls.caCert;
    if (!token && existsSync(join(dir, TOKEN_FILE))) token = readFileSync(join(dir, TOKEN_FILE), 'utf8').trim();
  }
  if (!url) throw new UsageError('where is the desk? pass --dir DIR (or set GUARDPOST_DESK_DIR), or --url https://HOST:PORT --ca FILE');
  if (!token) throw new UsageError('no API token: pass --token or set GUARDPOST_DESK_TOKEN (create one: guardpost desk-cli token create NAME --dir DIR)');
  return new DeskApiClient(new URL(url), token, caFile ? readFileSync(caFile) : undefined);
}

/** Tokens are managed on the desk machine, directly in its database. */
function tokenCommand(args: string[], dir: string | undefined, save: boolean, json: boolean, io: CliIO): number {
  if (!dir) throw new UsageError('token commands run on the desk machine: pass --dir DIR (or set GUARDPOST_DESK_DIR)');
  const cfg = loadDeskConfig(dir);
  const store = new SqliteDeskStore(cfg.database);
  const now = new Date().toISOString();
  try {
    const [action, name] = args;
    if (action === 'create') {
      if (!name || !/^[\p{L}\p{N}_.@-]{1,64}$/u.test(name)) throw new UsageError('token create NAME: the engineer\'s name, 1–64 letters, digits, _ . @ -');
      const token = store.createToken(name, now);
      if (save) writeFileSync(join(dir, TOKEN_FILE), `${token}\n`, { mode: 0o600 });
      io.out(json ? JSON.stringify({ name, token }) : `${token}\n(shown once${save ? `; saved in ${join(dir, TOKEN_FILE)}` : ''}; acknowledgements made with it are recorded as "${name}")`);
      return EXIT.ok;
    }
    if (action === 'list') {
      const list = store.listTokens();
      io.out(json ? JSON.stringify(list, null, 2) : list.map((t) => `${t.name}\tcreated ${t.createdAt}\tlast used ${t.lastUsedAt ?? '-'}${t.revokedAt ? `\trevoked ${t.revokedAt}` : ''}`).join('\n') || 'no tokens');
      return EXIT.ok;
    }
    if (action === 'revoke') {
      if (!name) throw new UsageError('token revoke NAME');
      if (!store.revokeToken(name, now)) {
        io.err(`no active token named "${name}"`);
        return EXIT.minor;
      }
      io.out(`revoked ${name}`);
      return EXIT.ok;
    }
    throw new UsageError('token create NAME | token list | token revoke NAME');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    io.err(`desk-cli token: ${(err as Error).message}`);
    return EXIT.minor;
  } finally {
    store.close();
  }
}
