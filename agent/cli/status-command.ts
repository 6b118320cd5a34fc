import { parseArgs } from 'node:util';
import type { AgentStatus } from '../core/runtime/status.js';
import { SEVERITY_TEXT, worstSeverity } from '../core/severity.js';
import { resolveLang } from '../core/text.js';
import { renderTable } from '../core/text-table.js';
import { resolve } from 'node:path';
import { contextFor, resolveConfig } from './context.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import type { CliIO } from './io.js';

export const STATUS_HELP = `用法 / usage: guardpost status [--json] [--lang zh|en] [--config FILE | --defaults | --url URL]
  Shows the running agent's state through its local API (http://127.0.0.1:8620 by default).
  Needs none of the agent's secrets. Exit code: 0 healthy, 1/2/3 worst open fault minor/major/critical,
  69 no agent running, or another agent (another id or state directory) answers on this config's port.
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
  /** Who should answer: the agent of this config, not whichever process holds its page port. */
  let expected: { id: string; stateDir: string } | undefined;
  if (!base) {
    // Reading status needs no secret: an unset password variable in this shell must not stop it.
    const choice = { ...(values.config ? { config: values.config } : {}), defaults: values.defaults ?? false, readSecrets: false };
    const cfg = resolveConfig(await contextFor(choice, io.env), choice);
    base = `http://${cfg.web.host.includes(':') ? `[${cfg.web.host}]` : cfg.web.host}:${cfg.web.port}/`;
    expected = { id: cfg.agent.id, stateDir: resolve(cfg.storage.dir) };
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
  if (expected && (status.agent.id !== expected.id || (status.agent.stateDir && resolve(status.agent.stateDir) !== expected.stateDir))) {
    io.err(
      `另一个代理在 ${base} 应答 / a different agent answers at ${base}: ${status.agent.id} (state ${status.agent.stateDir ?? '?'}, config ${status.agent.configSource}), ` +
        `not this config's ${expected.id} (state ${expected.stateDir}). Is this config's agent running, on another web.port?`,
    );
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
            zh ? ['级别', '故障码', '标题', '对象', '首次发现', '详情'] : ['grade', 'fault', 'title', 'subject', 'since', 'detail'],
            // The detail says why (a CHECK_ERROR's own error included); long ones are cut, --json has them whole.
            status.faults.map((f) => [zh ? SEVERITY_TEXT[f.severity].zh : f.severity, f.code, f.title[lang], f.subject, f.firstSeen, clip(f.detail[lang], 80)]),
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

function clip(text: string, max: number): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length <= max ? one : `${one.slice(0, max - 1)}…`;
}
