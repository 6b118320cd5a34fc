import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { agentVersion } from '../core/version.js';
import { localDay } from '../core/store/rollup/month-file.js';
import { generateReport } from '../report/generate.js';
import type { InspectionReport } from '../report/inspection/build.js';
import { parseFormat, parseMonth, ReportInputError } from '../report/month.js';
import { ChromiumMissingError, htmlToPdf } from '../report/render/chromium.js';
import { renderReportHtml } from '../report/render/html.js';
import { contextFor, resolveConfig } from './context.js';
import { EXIT } from './exit-codes.js';
import type { CliIO } from './io.js';

export const REPORT_HELP = `用法 / usage: guardpost report [--month YYYY-MM] [--format html|json|pdf] [--out FILE] [--offline]
                        [--config FILE | --defaults]
  The monthly inspection report (巡检报告) of this terminal: the checklist (item, standard, observed, pass/fail,
  evidence), the month's faults against the service targets, and suggestions from trends. Default: this month so
  far, as HTML on stdout. PDF needs chromium (or $GUARDPOST_CHROMIUM); without --out it is written to
  guardpost-report-<site>-<month>.pdf. The running agent is asked first (its figures are up to the minute);
  --offline, or no agent answering, reads the state directory's roll-ups instead.
  Exit code: 0 written, 64 bad --month or --format, 69 PDF asked for and no chromium.
`;

export async function reportCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      month: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string', short: 'o' },
      offline: { type: 'boolean' },
      config: { type: 'string', short: 'c' },
      defaults: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return io.out(REPORT_HELP), EXIT.ok;
  try {
    const format = parseFormat(values.format);
    const now = new Date();
    // Checked before anything is loaded: a typo costs no config read and no request.
    const month = parseMonth(values.month, localDay(now, -now.getTimezoneOffset()).month);
    const choice = { ...(values.config ? { config: values.config } : {}), defaults: values.defaults ?? false, readSecrets: false };
    const cfg = resolveConfig(await contextFor(choice, io.env), choice);
    const report =
      (values.offline || !cfg.web.enabled ? undefined : await fromAgent(`http://${cfg.web.host.includes(':') ? `[${cfg.web.host}]` : cfg.web.host}:${cfg.web.port}/`, month, cfg.agent.id)) ??
      (await generateReport({
        dir: cfg.storage.dir,
        month,
        site: cfg.site,
        agentId: cfg.agent.id,
        version: agentVersion(),
        types: Object.fromEntries(cfg.checks.map((c) => [c.id, c.type])),
        now,
      }));
    if (format === 'json') return await emit(JSON.stringify(report, null, 2), values.out, io);
    const html = renderReportHtml(report);
    if (format === 'html') return await emit(html, values.out, io);
    const out = values.out ?? `guardpost-report-${report.site.fixmedins_code}-${report.month}.pdf`;
    await writeFile(out, await htmlToPdf(html, io.env));
    io.err(`已生成 / written: ${out}`);
    return EXIT.ok;
  } catch (err) {
    if (!(err instanceof ReportInputError)) throw err;
    io.err(`guardpost report: ${err.zh}\n${err.en}`);
    return err instanceof ChromiumMissingError ? EXIT.unavailable : EXIT.usage;
  }
}

/** The running agent's report, when this config's agent answers; undefined otherwise (then the files are read). */
async function fromAgent(base: string, month: string, agentId: string): Promise<InspectionReport | undefined> {
  try {
    const res = await fetch(new URL(`api/report?month=${month}`, base), { signal: AbortSignal.timeout(5000) });
    if (!res.ok) return undefined;
    const report = (await res.json()) as InspectionReport;
    return report.agentId === agentId ? report : undefined; // another agent on this port is not this terminal
  } catch {
    return undefined;
  }
}

async function emit(text: string, out: string | undefined, io: CliIO): Promise<number> {
  if (out) {
    await writeFile(out, text);
    io.err(`已生成 / written: ${out}`);
  } else io.out(text);
  return EXIT.ok;
}
