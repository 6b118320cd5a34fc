import type { Lang } from '../../agent/core/text.js';
import { renderTable } from '../../agent/core/text-table.js';
import type { Compliance, FleetSummary } from '../fleet-report.js';

const pct = (x: number | null) => (x === null ? '-' : `${x}%`);
const figures = (c: Compliance) => [String(c.faults), pct(c.respondedInTime), pct(c.criticalInTime), pct(c.majorInTime), pct(c.fixedWithin2h), pct(c.fixedWithin4h)];
const HEAD = { zh: ['故障数', '10 分钟响应', '严重 12 小时', '重要 24 小时', '2 小时修复', '4 小时修复'], en: ['faults', 'responded', 'critical in time', 'major in time', 'fixed 2 h', 'fixed 4 h'] };

/** The fleet summary as text tables (desk-cli report). */
export function fleetText(f: FleetSummary, lang: Lang): string {
  const zh = lang === 'zh';
  const trend = renderTable([zh ? '月份' : 'month', ...HEAD[lang]], [[zh ? '本月' : 'this month', ...figures(f.compliance)], [zh ? '上月' : 'previous', ...figures(f.previous)]]);
  const sites = renderTable([zh ? '机构' : 'site', zh ? '终端数' : 'agents', ...HEAD[lang]], f.sites.map((s) => [s.siteCode, String(s.agents), ...figures(s.compliance)]));
  const worst = f.worstAgents.length
    ? renderTable([zh ? '终端' : 'agent', zh ? '机构' : 'site', zh ? '故障' : 'faults', zh ? '严重' : 'critical', zh ? '超时' : 'missed'], f.worstAgents.map((a) => [a.agentId, a.siteCode, String(a.faults), String(a.critical), String(a.missed)]))
    : zh ? '无' : 'none';
  const codes = f.byCode.length ? renderTable([zh ? '故障码' : 'code', zh ? '本月' : 'this month', zh ? '上月' : 'previous'], f.byCode.map((c) => [c.code, String(c.faults), String(c.previous)])) : zh ? '无' : 'none';
  const inspected = f.inspections.length
    ? renderTable(
        [zh ? '终端' : 'agent', zh ? '机构' : 'site', zh ? '合格' : 'pass', zh ? '不合格' : 'fail', zh ? '不适用' : 'n/a', zh ? '不合格项' : 'failed items'],
        f.inspections.map((i) => [i.agentId, i.siteCode, String(i.pass), String(i.fail), String(i.na), i.failed.join('; ') || '-']),
      )
    : zh ? '无' : 'none';
  const uninspected = f.noInspection.length ? f.noInspection.map((a) => a.agentId).join(', ') : zh ? '无' : 'none';
  const silent = f.silentAgents.length
    ? renderTable([zh ? '终端' : 'agent', zh ? '机构' : 'site', zh ? '最后联系' : 'last contact'], f.silentAgents.map((a) => [a.agentId, a.siteCode, a.lastSeen ?? (zh ? '从未' : 'never')]))
    : zh ? '无' : 'none';
  return [
    zh ? '全网合同指标（与上月对比）' : 'Fleet against the contract (and the previous month)', trend, '',
    zh ? '按机构' : 'By site', sites, '',
    zh ? '各终端巡检结果' : 'Inspection by terminal', inspected, '',
    `${zh ? '无巡检数据的终端' : 'Terminals without inspection data'}: ${uninspected}`, '',
    zh ? '故障最多的终端' : 'Worst terminals', worst, '',
    zh ? '按故障码' : 'Faults by code', codes, '',
    zh ? '本月未上报的终端' : 'Agents that did not report this month', silent,
  ].join('\n');
}

const cell = (v: string | number | null) => {
  const s = v === null ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** One row per site and one for the fleet, for spreadsheets: the contract's figures and the agents that were silent. */
export function fleetCsv(month: string, f: FleetSummary): string {
  const head = ['month', 'site', 'agents', 'silent_agents', 'items_passed', 'items_failed', 'terminals_failing', 'faults', 'responded_pct', 'critical_in_time_pct', 'major_in_time_pct', 'fixed_2h_pct', 'fixed_4h_pct'];
  const row = (site: string, agents: number, silent: number, i: FleetSummary['sites'][number]['inspection'], c: Compliance) => [month, site, agents, silent, i.passed, i.failed, i.terminalsFailing, c.faults, c.respondedInTime, c.criticalInTime, c.majorInTime, c.fixedWithin2h, c.fixedWithin4h].map(cell).join(',');
  const silentAt = (site: string) => f.silentAgents.filter((a) => a.siteCode === site).length;
  const all = f.sites.reduce((t, s) => ({ passed: t.passed + s.inspection.passed, failed: t.failed + s.inspection.failed, terminalsFailing: t.terminalsFailing + s.inspection.terminalsFailing }), { passed: 0, failed: 0, terminalsFailing: 0 });
  return [head.join(','), ...f.sites.map((s) => row(s.siteCode, s.agents, silentAt(s.siteCode), s.inspection, s.compliance)), row('*', f.sites.reduce((n, s) => n + s.agents, 0), f.silentAgents.length, all, f.compliance)].join('\n') + '\n';
}
