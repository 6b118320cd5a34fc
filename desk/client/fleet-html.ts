import { esc } from '../../agent/report/render/html.js';
import { REPORT_CSS } from '../../agent/report/render/style.js';
import type { TicketFigures } from '../tickets/ticket-types.js';
import { ticketFiguresText } from './ticket-render.js';
import type { Compliance, FleetSummary } from '../fleet-report.js';
import type { ServiceReport } from '../service-report.js';

/** The fleet's service report as printable A4 HTML (desk-cli report --format html|pdf), styled like a terminal's report. */
const head = (zh: string, en: string) => `${esc(zh)} <span class="en">${esc(en)}</span>`;
const pct = (x: number | null) => (x === null ? '-' : `${x} %`);

function table(headers: string[], rows: string[][]): string {
  if (!rows.length) return '<p class="na">无 / none</p>';
  return `<table><thead><tr>${headers.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

const COMPLIANCE_HEAD = [head('故障数', 'Faults'), head('10 分钟响应', 'Responded'), head('严重 12 小时', 'Critical in time'), head('重要 24 小时', 'Major in time'), head('2 小时修复', 'Fixed 2 h'), head('4 小时修复', 'Fixed 4 h')];
const figures = (c: Compliance) => [String(c.faults), pct(c.respondedInTime), pct(c.criticalInTime), pct(c.majorInTime), pct(c.fixedWithin2h), pct(c.fixedWithin4h)];

export function renderFleetHtml(r: ServiceReport & { month: string; fleet: FleetSummary; tickets: TicketFigures }, site?: string): string {
  const f = r.fleet;
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>服务月报 Service report ${esc(r.month)}</title><style>${REPORT_CSS}</style></head><body>
<h1>医保结算终端服务月报 <span class="en">Monthly service report</span></h1>
<table class="meta"><tbody>
<tr><td>${head('月份', 'Month')}</td><td>${esc(r.month)}（${esc(r.from)} – ${esc(r.to)}）</td></tr>
<tr><td>${head('范围', 'Scope')}</td><td>${site ? esc(site) : '全部机构 / all sites'}；${f.sites.reduce((n, s) => n + s.agents, 0)} 台终端 terminals</td></tr>
<tr><td>${head('合同目标', 'Contract')}</td><td>${r.targets.respondMinutes} 分钟内响应；严重 ${r.targets.resolveHours.critical} 小时、重要 ${r.targets.resolveHours.major} 小时内解决；2 小时修复 ≥ 60 %，4 小时修复 ≥ 80 %</td></tr>
<tr><td>${head('工单', 'Tickets')}</td><td><pre>${esc(ticketFiguresText(r.tickets, 'zh'))}</pre></td></tr>
</tbody></table>
<h2>${head('一、合同指标与上月对比', '1. Against the contract, and the previous month')}</h2>
${table([head('月份', 'Month'), ...COMPLIANCE_HEAD], [[head('本月', 'this month'), ...figures(f.compliance)], [head('上月', 'previous'), ...figures(f.previous)]])}
<h2>${head('二、按机构', '2. By site')}</h2>
${table([head('机构', 'Site'), head('终端数', 'Agents'), ...COMPLIANCE_HEAD], f.sites.map((s) => [esc(s.siteCode), String(s.agents), ...figures(s.compliance)]))}
<h2>${head('三、各终端巡检结果', '3. Inspection by terminal')}</h2>
${table([head('终端', 'Agent'), head('机构', 'Site'), head('合格', 'Pass'), head('不合格', 'Fail'), head('不适用', 'N/A'), head('不合格项', 'Failed items')], f.inspections.map((i) => [esc(i.agentId), esc(i.siteCode), String(i.pass), i.fail ? `<span class="fail">${i.fail}</span>` : '0', String(i.na), `<span class="evidence">${esc(i.failed.join('; ') || '-')}</span>`]))}
<p class="note">无巡检数据 / without inspection data: ${esc(f.noInspection.map((a) => a.agentId).join(', ') || '无 / none')}</p>
<h2>${head('四、故障最多的终端', '4. Worst terminals')}</h2>
${table([head('终端', 'Agent'), head('机构', 'Site'), head('故障', 'Faults'), head('严重', 'Critical'), head('超时', 'Missed')], f.worstAgents.map((a) => [esc(a.agentId), esc(a.siteCode), String(a.faults), String(a.critical), String(a.missed)]))}
<h2>${head('五、按故障码', '5. Faults by code')}</h2>
${table([head('故障码', 'Code'), head('本月', 'This month'), head('上月', 'Previous')], f.byCode.map((c) => [esc(c.code), String(c.faults), String(c.previous)]))}
<h2>${head('六、本月未上报的终端', '6. Agents that did not report this month')}</h2>
${table([head('终端', 'Agent'), head('机构', 'Site'), head('最后联系', 'Last contact')], f.silentAgents.map((a) => [esc(a.agentId), esc(a.siteCode), esc(a.lastSeen ?? '从未 / never')]))}
</body></html>
`;
}
