import type { Text } from '../../core/text.js';
import type { InspectionReport } from '../inspection/build.js';
import type { ChecklistItem } from '../inspection/checklist.js';
import type { FaultRow, Verdict } from '../inspection/sla.js';
import { REPORT_CSS } from './style.js';

/** Everything from the report is data the terminal measured or was configured with: escaped, never markup. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const both = (t: Text) => `${esc(t.zh)}<br><span class="en">${esc(t.en)}</span>`;
const head = (zh: string, en: string) => `${esc(zh)} <span class="en">${esc(en)}</span>`;
const RESULT: Record<ChecklistItem['result'], string> = { pass: '<span class="pass">合格 Pass</span>', fail: '<span class="fail">不合格 Fail</span>', 'n/a': '<span class="na">不适用 N/A</span>' };
const VERDICT: Record<Verdict, string> = { met: '<span class="pass">达标 met</span>', missed: '<span class="fail">超时 missed</span>', pending: '<span class="na">进行中 pending</span>', 'n/a': '<span class="na">-</span>' };
const GRADES = [['critical', '严重', 'Critical'], ['major', '重要', 'Major'], ['minor', '一般', 'Minor']] as const;

/** Local time of an ISO instant in the report's zone, minutes precision. */
function when(iso: string | undefined, offsetMinutes: number): string {
  if (!iso) return '-';
  const t = Date.parse(iso);
  return Number.isNaN(t) ? esc(iso) : new Date(t + offsetMinutes * 60_000).toISOString().slice(0, 16).replace('T', ' ');
}

const pctOrDash = (x: number | null) => (x === null ? '-' : `${x} %`);

function table(headers: string[], rows: string[][], classes: string[] = []): string {
  return `<table><thead><tr>${headers.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c, i) => `<td${classes[i] ? ` class="${classes[i]}"` : ''}>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function faultTable(rows: FaultRow[], offset: number): string {
  return table(
    [head('故障', 'Fault'), head('对象', 'Subject'), head('发现', 'Detected'), head('服务台收到', 'Desk receipt'), head('确认', 'Acknowledged'), head('解决', 'Resolved'), head('响应', 'Response'), head('解决时限', 'Resolution')],
    rows.map((r) => [
      `${esc(r.code)}<br>${esc(r.title.zh)}<br><span class="en">${esc(r.title.en)}</span>`,
      esc(`${r.checkId} / ${r.subject}`),
      when(r.detectedAt, offset),
      r.deskReceivedAt ? `${when(r.deskReceivedAt, offset)}<br>${esc(r.receiptMinutes)} min` : '<span class="na">-</span>',
      when(r.acknowledgedAt, offset),
      r.resolvedAt ? when(r.resolvedAt, offset) : `<span class="na">未解决 open ${esc(r.openHours)} h</span>`,
      `${VERDICT[r.response]}${r.responseMinutes !== undefined ? `<br>${esc(r.responseMinutes)} min` : ''}`,
      `${VERDICT[r.resolution]}${r.resolutionHours !== undefined ? `<br>${esc(r.resolutionHours)} h` : ''}`,
    ]),
  );
}

export interface HtmlOptions {
  /** the zone times are shown in, minutes east of UTC (China: 480) */
  offsetMinutes?: number;
  /** link this stylesheet instead of inlining the styles (the page server's policy allows no inline style) */
  stylesheet?: string;
}

export function renderReportHtml(r: InspectionReport, opts: HtmlOptions = {}): string {
  const offsetMinutes = opts.offsetMinutes ?? 480;
  const style = opts.stylesheet ? `<link rel="stylesheet" href="${esc(opts.stylesheet)}">` : `<style>${REPORT_CSS}</style>`;
  const site = `${esc(r.site.fixmedins_name)}（${esc(r.site.fixmedins_code)}）`;
  const status = r.complete ? '' : `<p class="note">本月尚未结束，以下为截至生成时的数据 / The month is not over: figures so far.</p>`;
  const checklist = table(
    [head('巡检项目', 'Item'), head('对象', 'Subject'), head('标准', 'Standard'), head('实测', 'Observed'), head('结论', 'Result'), head('依据', 'Evidence')],
    r.checklist.map((i) => [both(i.item), esc(i.subject), both(i.standard), both(i.observed), RESULT[i.result], `<span class="evidence">${esc(i.evidence)}</span>`]),
  );
  const s = r.sla;
  const sla = table(
    [head('指标', 'Target'), head('合同要求', 'Contract'), head('本月', 'This month')],
    [
      [head('10 分钟内响应', 'Responded within 10 min'), '100 %', pctOrDash(s.respondedWithin10Min)],
      [head('严重故障 12 小时内解决', 'Critical resolved within 12 h'), '100 %', pctOrDash(s.criticalWithin12h)],
      [head('重要故障 24 小时内解决', 'Major resolved within 24 h'), '100 %', pctOrDash(s.majorWithin24h)],
      [head('2 小时内修复', 'Fixed within 2 h'), '≥ 60 %', pctOrDash(s.fixedWithin2h)],
      [head('4 小时内修复', 'Fixed within 4 h'), '≥ 80 %', pctOrDash(s.fixedWithin4h)],
    ],
    ['', 'num', 'num'],
  );
  const byGrade = GRADES.map(([g, zh, en]) => {
    const rows = r.faults.filter((f) => f.severity === g);
    return `<h3>${head(`${zh}故障（${rows.length}）`, `${en} faults (${rows.length})`)}</h3>${rows.length ? faultTable(rows, offsetMinutes) : '<p class="na">无 / none</p>'}`;
  }).join('');
  const suggestions = r.suggestions.length
    ? `<ol class="suggestions">${r.suggestions.map((x) => `<li>${esc(x.text.zh)}<br><span class="en">${esc(x.text.en)}</span><br><span class="evidence">依据 / evidence: ${esc(x.evidence)}</span></li>`).join('')}</ol>`
    : '<p>本月数据未显示需要处理的趋势。<br><span class="en">No trend this month calls for action.</span></p>';
  const figures = table(
    [head('检查', 'Check'), head('对象', 'Subject'), head('次数', 'Samples'), head('可用率', 'Availability'), head('延迟', 'Latency p50/p95/max'), head('失败原因', 'Failures'), head('读数', 'Gauges (low–high, last)')],
    r.figures.map((f) => [
      esc(f.checkId), esc(f.subject), String(f.n), `${f.availability} %`,
      f.latency ? esc(`${f.latency.p50} / ${f.latency.p95} / ${f.latency.max} ms`) : '-',
      esc(Object.entries(f.reasons).map(([k, v]) => `${k}×${v}`).join(', ') || '-'),
      `<span class="evidence">${esc(Object.entries(f.gauges).map(([k, g]) => `${k} ${g.lo}–${g.hi} (${g.last})`).join('; ') || '-')}</span>`,
    ]),
    ['', '', 'num', 'num', 'num', '', ''],
  );
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>巡检报告 Inspection report ${esc(r.month)} ${esc(r.site.fixmedins_code)}</title>
${style}</head><body>
<h1>医保结算终端月度巡检报告 <span class="en">Monthly inspection report</span></h1>
${status}
<table class="meta"><tbody>
<tr><td>${head('机构', 'Site')}</td><td>${site}</td></tr>
<tr><td>${head('终端', 'Terminal')}</td><td>${esc(r.site.terminalId ?? '-')}（${esc(r.agentId)}，Guardpost ${esc(r.version)}）</td></tr>
<tr><td>${head('月份', 'Month')}</td><td>${esc(r.month)}</td></tr>
<tr><td>${head('生成时间', 'Generated')}</td><td>${when(r.generatedAt, offsetMinutes)}</td></tr>
<tr><td>${head('数据覆盖', 'Coverage')}</td><td>${r.coverage.daysWithData} / ${r.coverage.daysElapsed} 天 days（本月 ${r.coverage.daysInMonth} 天）</td></tr>
<tr><td>${head('结论', 'Result')}</td><td><span class="pass">合格 ${r.result.pass}</span>，<span class="fail">不合格 ${r.result.fail}</span>，不适用 ${r.result.na}；故障 ${r.sla.faults} 次 faults；建议 ${r.suggestions.length} 条 suggestions</td></tr>
</tbody></table>
<section class="checklist"><h2>${head('一、巡检项目', '1. Inspection checklist')}</h2>${checklist}</section>
<section class="suggestions"><h2>${head('二、建议', '2. Suggestions')}</h2>${suggestions}</section>
<section class="faults"><h2>${head('三、本月故障与服务时限', '3. Faults of the month and service targets')}</h2>${sla}${byGrade}</section>
<section class="appendix"><h2>${head('附录：实测数据', 'Appendix: measured figures')}</h2>${figures}
${r.dropped.subjects || r.dropped.faults ? `<p class="note">超出上限未记录 / beyond the bounds: ${r.dropped.subjects} subject results, ${r.dropped.faults} faults</p>` : ''}
<div class="sign"><div>巡检人 Inspected by</div><div>确认人 Confirmed by</div><div>日期 Date</div></div></section>
</body></html>
`;
}
