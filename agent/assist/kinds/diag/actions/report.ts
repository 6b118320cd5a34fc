import { Type } from '../../../../core/schema/type.js';
import { ReportInputError } from '../../../../report/month.js';
import { renderReportHtml } from '../../../../report/render/html.js';
import { DiagArgsError, json, type DiagAction } from './action.js';

/** The monthly inspection report, so the desk can print any terminal's without a visit; rendered here, as the CLI does. */
export const report: DiagAction<{ month?: string; format: 'html' | 'json' }> = {
  name: 'report',
  args: Type.Object(
    {
      month: Type.Optional(Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$', description: 'YYYY-MM; the current month so far when left out' })),
      format: Type.Optional(Type.Union([Type.Literal('html'), Type.Literal('json')], { default: 'html' })),
    },
    { additionalProperties: false },
  ),
  run: async ({ month, format }, host) => {
    let r;
    try {
      r = await host.report(month);
    } catch (err) {
      if (err instanceof ReportInputError) throw new DiagArgsError(`args.month: ${err.message}`);
      throw err;
    }
    const summary = `report ${r.month}: ${r.result.pass} pass, ${r.result.fail} fail, ${r.faults.length} faults, ${r.suggestions.length} suggestions`;
    const fileName = `guardpost-report-${r.site.fixmedins_code}-${r.month}.${format === 'json' ? 'json' : 'html'}`;
    if (format === 'json') return { contentType: 'application/json', body: json(r), fileName, summary };
    return { contentType: 'text/html', body: Buffer.from(renderReportHtml(r)), fileName, summary };
  },
};
