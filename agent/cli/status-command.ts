import { parseArgs } from 'node:util';
import type { AgentStatus } from '../core/runtime/status.js';
import { SEVERITY_TEXT, worstSeverity } from '../core/severity.js';
import { resolveLang } from '../core/text.js';
import { createContext, resolveConfig } from './context.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import type { CliIO } from './io.js';
import { renderTable } from './table.js';

export const STATUS_HELP = `用法 / usage: guardpost status [--json] [--lang zh|en] [--config FILE | --defaults | --url URL]
  Shows the running agent's state through its local API (http://127.0.0.1:8620 by default).
  Exit code: 0 healthy, 1/2/3 worst open fault minor/major/critical, 69 no agent running.
`;

export async function statusCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: 'boolean' },
      lang: { type: 'string' },
      url: { type: 'string' },
      config: { type: 'string', short: 'c' },
      defaults: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return io.out(STATUS_HELP), EXIT.ok;
  let base = values.url;
  if (!base) {
    const cfg = resolveConfig(createContext(io.env), { ...(values.config ? { config: values.config } : {}), defaults: values.defaults ?? false });
    base = `http://${cfg.web.host.includes(':') ? `[${cfg.web.host}]` : cfg.web.host}:${cfg.web.port}/`;
  }
  let status: AgentStatus;
  try {
    const res = await fetch(new URL('api/status', base), { signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    status = (await res.json()) as AgentStatus;
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    io.err(`没有正在运行的 Guardpost 代理 / no Guardpost agent answers at ${base} (${cause}). Start one with: guardpost run`);
    return EXIT.unavailable;
  }
  const worst = worstSeverity(status.faults.map((f) => f.severity));
  if (values.json) {
    io.out(JSON.stringify(status, null, 2));
    return exitCodeFor(worst);
  }
  const lang = resolveLang(values.lang, io.env);
  const zh = lang === 'zh';
  io.out(
    [
      `${status.overallText[lang]}  (${status.site.fixmedins_name} ${status.site.fixmedins_code} / ${status.agent.id}, v${status.agent.version}, ${zh ? '运行' : 'up'} ${status.agent.uptimeSeconds}s)`,
      '',
      status.faults.length
        ? renderTable(
            zh ? ['级别', '故障码', '标题', '对象', '首次发现'] : ['grade', 'fault', 'title', 'subject', 'since'],
            status.faults.map((f) => [zh ? SEVERITY_TEXT[f.severity].zh : f.severity, f.code, f.title[lang], f.subject, f.firstSeen]),
          )
        : zh
          ? '当前无故障。'
          : 'No open faults.',
      '',
      zh ? `待发送事件 ${status.store.outboxDepth} 条` : `${status.store.outboxDepth} event(s) waiting for the desk`,
    ].join('\n'),
  );
  return exitCodeFor(worst);
}
