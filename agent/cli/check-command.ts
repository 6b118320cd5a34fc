import { parseArgs } from 'node:util';
import type { ProbeContext } from '../core/checks/plugin.js';
import { FRAMEWORK_REASONS, type ProbeResult } from '../core/checks/result.js';
import type { LoadedCheck } from '../core/config/load.js';
import { frameworkFault } from '../core/faults/engine.js';
import { Scheduler } from '../core/scheduler/scheduler.js';
import { SEVERITY_TEXT, worstSeverity, type Severity } from '../core/severity.js';
import { resolveLang } from '../core/text.js';
import { renderTable } from '../core/text-table.js';
import { contextFor, resolveConfig } from './context.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { UsageError, type CliIO } from './io.js';

export const CHECK_HELP = `用法 / usage: guardpost check [--json] [--lang zh|en] [--config FILE | --defaults] [ID...]
  Runs all enabled checks (or the named ones) once, now, and prints what each found.
  Exit code: 0 healthy, 1 worst finding minor, 2 major, 3 critical, 78 bad configuration.
  A result that is not ok but raises no fault (no verdict yet, e.g. a card reader not observed) is at least 1.
  One-shot: no hysteresis, and the running agent's state is not touched.
`;

interface Finding {
  check: string;
  result: ProbeResult;
  fault?: { code: string; severity: Severity };
}

export async function checkCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      lang: { type: 'string' },
      config: { type: 'string', short: 'c' },
      defaults: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return io.out(CHECK_HELP), 0;
  const choice = { ...(values.config ? { config: values.config } : {}), defaults: values.defaults ?? false };
  const ctx = await contextFor(choice, io.env);
  const cfg = resolveConfig(ctx, choice);
  const byId = new Map(cfg.checks.map((c) => [c.id, c]));
  for (const id of positionals) if (!byId.has(id)) throw new UsageError(`no check with id "${id}" in ${cfg.source}; configured: ${[...byId.keys()].join(', ')}`);
  const selected: LoadedCheck[] = positionals.length ? positionals.map((id) => byId.get(id)!) : cfg.checks.filter((c) => c.enabled);

  const memoryState = new Map<string, unknown>();
  const scheduler = new Scheduler({
    checks: selected.map((c) => ({
      id: c.id,
      plugin: c.plugin,
      config: c.settings,
      intervalSeconds: c.intervalSeconds,
      timeoutSeconds: c.timeoutSeconds,
      jitterPercent: 0,
      isolated: c.plugin.isolated === true,
    })),
    contextFor: (checkId): ProbeContext => ({
      checkId,
      platform: ctx.platform,
      now: () => new Date(),
      site: cfg.site,
      // The agent's own state directory: a one-shot check must see the wrong-PIN guard's record of today's failed
      // login (a second attempt could lock the USBKey) and may reuse the certificate caches. Check state stays in memory.
      stateDir: cfg.storage.dir,
      state: { get: <T>() => memoryState.get(checkId) as T | undefined, set: (v) => void memoryState.set(checkId, v) },
    }),
    onResults: () => undefined,
  });
  let runs: Map<string, ProbeResult[]>;
  try {
    runs = await scheduler.runNow(selected.map((c) => c.id));
  } finally {
    await scheduler.stop(1000);
  }

  const findings: Finding[] = [];
  for (const c of selected) {
    for (const result of runs.get(c.id) ?? []) {
      // The same mapping the engine uses: framework failures first (a plugin may name its own), then the check's rules.
      const signal = result.status === 'fail' ? (frameworkFault(result.reason, c.plugin.frameworkFaults) ?? c.plugin.rules(result, c.settings)) : null;
      findings.push({ check: c.id, result, ...(signal ? { fault: { code: signal.code, severity: signal.severity } } : {}) });
    }
  }
  const worst = worstSeverity(findings.flatMap((f) => (f.fault ? [f.fault.severity] : [])));
  if (values.json) {
    io.out(JSON.stringify({ agentId: cfg.agent.id, worst: worst ?? null, findings }, null, 2));
  } else {
    io.out(renderFindings(findings, resolveLang(values.lang, io.env)));
  }
  // Not ok without a fault (a reader not observed yet, say) is no verdict of health: never exit 0 for it.
  const unjudged = findings.some((f) => f.result.status !== 'ok' && !f.fault);
  return Math.max(exitCodeFor(worst), unjudged ? EXIT.minor : EXIT.ok);
}

function renderFindings(findings: Finding[], lang: 'zh' | 'en'): string {
  const zh = lang === 'zh';
  const header = zh ? ['检查', '对象', '结果', '级别', '故障码', '说明'] : ['check', 'subject', 'result', 'grade', 'fault', 'detail'];
  const rows = findings.map((f) => [
    f.check,
    f.result.subject,
    f.result.status === 'ok' ? (zh ? '正常' : 'ok') : zh ? '异常' : 'FAIL',
    f.fault ? (zh ? SEVERITY_TEXT[f.fault.severity].zh : f.fault.severity) : '',
    f.fault?.code ?? (f.result.status === 'fail' ? f.result.reason : ''),
    (f.result.message[lang] || (FRAMEWORK_REASONS as Record<string, { zh: string; en: string }>)[f.result.reason]?.[lang]) ?? '',
  ]);
  return renderTable(header, rows);
}
