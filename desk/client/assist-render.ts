import { renderTable } from '../../agent/core/text-table.js';
import type { Lang } from '../../agent/core/text.js';
import type { AssistRequestRow, AuditChainStatus, AuditRecordRow } from '../store/assist-types.js';
import { cst } from './render.js';

/** Remote assistance for `guardpost desk-cli`: requests, their outcome, the audit records, in Chinese or English. */

const STATE_TEXT: Record<string, { zh: string; en: string }> = {
  requested: { zh: '已发送', en: 'requested' },
  refused: { zh: '策略拒绝', en: 'refused' },
  pending: { zh: '待批准', en: 'pending' },
  running: { zh: '进行中', en: 'running' },
  denied: { zh: '已拒绝', en: 'denied' },
  'timed-out': { zh: '批准超时', en: 'timed out' },
  withdrawn: { zh: '已撤回', en: 'withdrawn' },
  ended: { zh: '已结束', en: 'ended' },
};

export const stateText = (s: string, lang: Lang) => STATE_TEXT[s]?.[lang] ?? s;

export function requestsTable(rows: AssistRequestRow[], lang: Lang): string {
  const zh = lang === 'zh';
  if (!rows.length) return zh ? '没有远程协助请求。' : 'No assistance requests.';
  return renderTable(
    zh ? ['请求', '代理', '工程师', '类型', '状态', '工单', '申请时间', '结束原因'] : ['request', 'agent', 'engineer', 'kinds', 'state', 'ticket', 'asked', 'ended'],
    rows.map((r) => [r.id.slice(0, 8), r.agentId, r.engineer, r.kinds.join(','), stateText(r.state, lang), r.ticket ?? '-', cst(r.createdAt), r.endCause ?? '-']),
  );
}

export function requestDetail(r: AssistRequestRow, lang: Lang): string {
  const zh = lang === 'zh';
  const line = (zhLabel: string, enLabel: string, v: string | null | undefined) => (v ? `${(zh ? zhLabel : enLabel).padEnd(zh ? 6 : 14)} ${v}` : undefined);
  return [
    line('请求', 'request', r.id),
    line('代理', 'agent', r.agentId),
    line('工程师', 'engineer', `${r.engineer}${r.organisation ? ` (${r.organisation})` : ''}`),
    line('类型', 'kinds', r.kinds.join(', ')),
    line('原因', 'reason', r.reason),
    line('工单', 'ticket', r.ticket),
    line('时长', 'duration', `${r.durationMinutes} min`),
    line('转发目标', 'forward to', r.forwardTargets.join(', ')),
    line('状态', 'state', `${stateText(r.state, lang)} (${cst(r.stateAt)})`),
    line('会话', 'session', r.sessionId),
    line('拒绝原因', 'refused', r.refusal ? `${r.refusal.reason}: ${r.refusal.detail}` : null),
    line('批准', 'approved by', r.approvedBy),
    line('拒绝', 'denied by', r.deniedBy),
    line('开始', 'started', r.startedAt ? cst(r.startedAt) : null),
    line('到期', 'ends at', r.endsAt ? cst(r.endsAt) : null),
    line('结束', 'ended', r.endedAt ? `${cst(r.endedAt)} ${r.endCause ?? ''}${r.endedBy ? ` (${r.endedBy})` : ''}` : null),
  ]
    .filter(Boolean)
    .join('\n');
}

/**
 * What a request that did not start means for the engineer, one line; undefined while it is running. Policy
 * refusals carry the agent's rule and detail: the engineer must see why, not just "no".
 */
export function outcomeText(r: AssistRequestRow): string | undefined {
  const on = r.agentId;
  switch (r.state) {
    case 'running':
      return undefined;
    case 'refused':
      return `代理 ${on} 的策略拒绝了请求 / refused by the policy of ${on}: ${r.refusal?.reason ?? '?'} — ${r.refusal?.detail ?? ''}`;
    case 'denied':
      return `现场操作员拒绝了请求 / denied by the operator at ${on}${r.deniedBy ? ` (${r.deniedBy})` : ''}`;
    case 'timed-out':
      return `现场操作员未在规定时间内批准 / timed out: nobody at ${on} approved in time (a denial)`;
    case 'withdrawn':
      return `请求已撤回 / withdrawn${r.endedBy ? ` by ${r.endedBy}` : ''}`;
    case 'ended':
      return `会话已结束 / the session is over: ${r.endCause ?? 'ended'}${r.endedBy ? ` (${r.endedBy})` : ''}`;
    default:
      return `请求仍在等待 / still ${r.state}`;
  }
}

/** The one line the engineer sees while the operator is asked: who has to say yes, and where. */
export function waitingText(r: AssistRequestRow): string {
  if (r.state === 'requested') return `已发送至 ${r.agentId}，等待代理答复… / sent to ${r.agentId}, waiting for the agent's answer…`;
  return (
    `等待 ${r.agentId} 现场操作员批准（本机状态页，或在该终端执行 guardpost assist approve ${r.sessionId ?? ''}）… / ` +
    `waiting for the operator at ${r.agentId} to approve (its local page, or \`guardpost assist approve ${r.sessionId ?? ''}\` there); Ctrl-C withdraws`
  );
}

/** The fields worth a column of an audit record, by kind; the whole line is in --json. */
const SUMMARY_FIELDS = ['engineer', 'decision', 'by', 'reason', 'cause', 'action', 'ok', 'summary', 'target', 'bytesToTarget', 'bytesFromTarget', 'closedBy', 'exitCode', 'sha256', 'kinds', 'detail'];

export function auditSummary(line: string): string {
  let r: Record<string, unknown>;
  try {
    r = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.slice(0, 120);
  }
  const parts: string[] = [];
  if (typeof r.session === 'string') parts.push(`session=${r.session.slice(0, 8)}`);
  for (const k of SUMMARY_FIELDS) {
    const v = r[k];
    if (v === undefined || v === null || v === '') continue;
    const shown = Array.isArray(v) ? v.join(',') : k === 'sha256' ? String(v).slice(0, 12) : String(v);
    parts.push(`${k}=${shown.length > 80 ? `${shown.slice(0, 79)}…` : shown}`);
  }
  return parts.join(' ');
}

export function auditTable(agent: string, records: AuditRecordRow[], chain: AuditChainStatus, lang: Lang): string {
  const zh = lang === 'zh';
  const status = chain.intact
    ? zh
      ? `审计链完整：${chain.records} 条记录，最新序号 ${chain.lastSeq}`
      : `chain intact: ${chain.records} records, last seq ${chain.lastSeq}`
    : `${zh ? '审计链断裂' : 'chain breaks'}: ${chain.breaks}${chain.lastBreak ? ` — ${zh ? '最近一次' : 'last'} ${cst(chain.lastBreak.at)} seq ${chain.lastBreak.seq ?? '-'}: ${chain.lastBreak.message}` : ''}`;
  const table = records.length
    ? renderTable(
        zh ? ['序号', '时间', '类型', '摘要', '链'] : ['seq', 'time', 'kind', 'summary', 'chain'],
        records.map((r) => [String(r.seq), cst(r.at), r.kind, auditSummary(r.line), r.chain]),
      )
    : zh
      ? `${agent} 没有审计记录。`
      : `No audit records of ${agent}.`;
  return `${table}\n${status}`;
}
