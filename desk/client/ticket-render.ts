import { SEVERITY_TEXT } from '../../agent/core/severity.js';
import { displayWidth, renderTable } from '../../agent/core/text-table.js';
import type { Lang, Text } from '../../agent/core/text.js';
import { cst } from './render.js';
import type { TicketState } from '../tickets/ticket-states.js';
import type { Runbook, Ticket, TicketFigures, TicketStep, TicketStepKind } from '../tickets/ticket-types.js';

/** Tickets for `guardpost desk-cli ticket`, in Chinese or English. Times are shown in China Standard Time. */

const STATE_TEXT: Record<TicketState, Text> = {
  opened: { zh: '已受理', en: 'opened' },
  dispatched: { zh: '已派单', en: 'dispatched' },
  in_progress: { zh: '处理中', en: 'in progress' },
  resolved: { zh: '已回复', en: 'resolved' },
  follow_up: { zh: '已回访', en: 'followed up' },
  closed: { zh: '已关闭', en: 'closed' },
};

const STEP_TEXT: Record<TicketStepKind, Text> = {
  open: { zh: '受理', en: 'opened' },
  dispatch: { zh: '派单', en: 'dispatched' },
  start: { zh: '开始处理', en: 'started' },
  resolve: { zh: '回复', en: 'resolved' },
  'fault-resolved': { zh: '终端故障已恢复', en: 'fault resolved on the terminal' },
  'follow-up': { zh: '回访', en: 'followed up' },
  close: { zh: '关闭', en: 'closed' },
  reopen: { zh: '重新处理', en: 'reopened' },
  note: { zh: '备注', en: 'note' },
  'fault-linked': { zh: '关联故障', en: 'fault linked' },
};

export const ticketStateText = (s: TicketState, lang: Lang): string => STATE_TEXT[s]?.[lang] ?? s;
export const stepText = (k: TicketStepKind, lang: Lang): string => STEP_TEXT[k]?.[lang] ?? k;

/** What the ticket is about: the fault's title, or what the caller said. */
const about = (t: Ticket, lang: Lang): string => (t.title ? t.title[lang] : (t.summary ?? ''));

const short = (s: string, max = 40): string => ([...s].length > max ? `${[...s].slice(0, max - 1).join('')}…` : s);

export function ticketsTable(rows: Ticket[], lang: Lang): string {
  const zh = lang === 'zh';
  if (!rows.length) return zh ? '没有符合条件的工单。' : 'No tickets match.';
  return renderTable(
    zh ? ['工单', '状态', '来源', '级别', '代理', '内容', '处理人', '受理时间', '状态时间'] : ['ticket', 'state', 'origin', 'grade', 'agent', 'about', 'assignee', 'opened', 'since'],
    rows.map((t) => [
      t.id,
      ticketStateText(t.state, lang),
      t.origin === 'fault' ? (zh ? '故障' : 'fault') : zh ? '电话' : 'call',
      t.severity ? (zh ? SEVERITY_TEXT[t.severity].zh : t.severity) : '-',
      t.agentId,
      short(`${t.code ? `${t.code} ` : ''}${about(t, lang)}`),
      t.assignee ?? '-',
      cst(t.openedAt),
      cst(t.stateAt),
    ]),
  );
}

function runbookLines(kb: Runbook & { code: string }, lang: Lang): string[] {
  const zh = lang === 'zh';
  return [
    `${zh ? '知识库' : 'Knowledge base'}: ${kb.code}`,
    zh ? '可能原因：' : 'Likely causes:',
    ...kb.causes.map((c, i) => `  ${i + 1}. ${c[lang]}`),
    `${zh ? '现场处理：' : 'At the site: '}${kb.operator[lang]}`,
    `${zh ? '工程师处理：' : 'For the engineer: '}${kb.engineer[lang]}`,
  ];
}

export function ticketDetail(d: { ticket: Ticket; steps: TicketStep[]; knowledgeBase: (Runbook & { code: string }) | null }, lang: Lang): string {
  const zh = lang === 'zh';
  const t = d.ticket;
  // Labels padded by display width: a Chinese character takes two columns.
  const line = (zhLabel: string, enLabel: string, v: string | null | undefined) => {
    const label = zh ? zhLabel : enLabel;
    return v ? `${label}${' '.repeat(Math.max(1, (zh ? 10 : 13) - displayWidth(label)))}${v}` : undefined;
  };
  const fields = [
    line('工单', 'ticket', `${t.id} (${t.origin === 'fault' ? (zh ? '故障' : 'fault') : zh ? '电话' : 'call'})`),
    line('状态', 'state', `${ticketStateText(t.state, lang)} (${cst(t.stateAt)})`),
    line('代理', 'agent', `${t.agentId}${t.siteCode ? ` / ${t.siteCode}` : ''}`),
    line('故障', 'fault', t.code ? `${t.code}${t.severity ? ` ${zh ? SEVERITY_TEXT[t.severity].zh : t.severity}` : ''}${t.faultId ? ` (${t.faultId})` : ''}` : t.faultId),
    line('标题', 'title', t.title?.[lang]),
    line('来电人', 'caller', t.caller),
    line('问题描述', 'reported', t.summary),
    line('处理人', 'assignee', t.assignee),
    line('满意度', 'satisfaction', t.satisfaction === null ? null : `${t.satisfaction}/5${t.comment ? ` — ${t.comment}` : ''}`),
  ].filter(Boolean);
  const steps = renderTable(
    zh ? ['时间', '步骤', '状态', '操作人', '备注'] : ['time', 'step', 'state', 'by', 'note'],
    d.steps.map((s) => [
      cst(s.at),
      `${stepText(s.kind, lang)}${s.assignee ? ` → ${s.assignee}` : ''}`,
      s.from && s.from !== s.to ? `${ticketStateText(s.from, lang)} → ${ticketStateText(s.to, lang)}` : ticketStateText(s.to, lang),
      s.by,
      s.note ?? '',
    ]),
  );
  return [...fields, '', steps, ...(d.knowledgeBase ? ['', ...runbookLines(d.knowledgeBase, lang)] : [])].join('\n');
}

/** The one line a step prints: the ticket, its state now, and the assignee. */
export function ticketChanged(t: Ticket, lang: Lang): string {
  return `${t.id} ${ticketStateText(t.state, lang)}${t.assignee ? ` (${lang === 'zh' ? '处理人' : 'assignee'} ${t.assignee})` : ''}`;
}

/** The tickets' part of the monthly service report. */
export function ticketFiguresText(f: TicketFigures, lang: Lang): string {
  const zh = lang === 'zh';
  const mean = f.satisfaction.mean === null ? '-' : f.satisfaction.mean.toFixed(2);
  const dist = ([1, 2, 3, 4, 5] as const).map((s) => `${s}:${f.satisfaction.distribution[`${s}`]}`).join(' ');
  return zh
    ? [
        `工单：受理 ${f.opened.total}（故障 ${f.opened.fault}，电话 ${f.opened.hand}），关闭 ${f.closed}，回访 ${f.followUps}`,
        `当前状态：${Object.entries(f.stateNow).map(([s, n]) => `${ticketStateText(s as TicketState, lang)} ${n}`).join('，')}`,
        `满意度均值 ${mean}（${dist}）`,
      ].join('\n')
    : [
        `Tickets: opened ${f.opened.total} (fault ${f.opened.fault}, call ${f.opened.hand}), closed ${f.closed}, followed up ${f.followUps}`,
        `State now: ${Object.entries(f.stateNow).map(([s, n]) => `${ticketStateText(s as TicketState, lang)} ${n}`).join(', ')}`,
        `Mean satisfaction ${mean} (${dist})`,
      ].join('\n');
}
