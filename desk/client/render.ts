import { renderTable } from '../../agent/core/text-table.js';
import { SEVERITY_TEXT } from '../../agent/core/severity.js';
import type { Lang } from '../../agent/core/text.js';
import type { ServiceReport } from '../service-report.js';
import type { AgentRow, FaultRow, LimitKind, TimelineEntry } from '../store/types.js';

/** Tables for `guardpost desk-cli`, in Chinese or English. Times are shown in China Standard Time. */

const STATE_TEXT: Record<string, { zh: string; en: string }> = {
  open: { zh: '未处理', en: 'open' },
  acknowledged: { zh: '已确认', en: 'acknowledged' },
  resolved: { zh: '已恢复', en: 'resolved' },
};

/** "2026-07-01 16:30:05" in UTC+8. */
export function cst(iso: string | null | undefined): string {
  if (!iso) return '-';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '-';
  const s = Math.round(seconds);
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  return `${Math.round(s / 360) / 10}h`;
}

const LIMIT_TEXT: Record<LimitKind, { zh: string; en: string }> = {
  'events-rate': { zh: '事件过快，确认已放慢', en: 'events too fast, acks slowed' },
  window: { zh: '未确认事件超出窗口', en: 'more events in flight than the window' },
  heartbeats: { zh: '心跳过快', en: 'heartbeats too fast' },
  frames: { zh: '消息过快', en: 'frames too fast' },
  connects: { zh: '重连过于频繁', en: 'reconnecting too often' },
  'open-faults': { zh: '未恢复故障数达到配额', en: 'open-fault quota reached' },
  'bytes-per-day': { zh: '当日存储量达到配额', en: 'daily storage quota reached' },
};

/** An agent the desk limited within this long is shown as throttled. */
export const THROTTLED_FOR_MS = 3600_000;

/** "throttled" while a limit is recent, with what it was; the last limit otherwise (or nothing). */
export function limitText(a: AgentRow, lang: Lang, now = Date.now()): { throttled: boolean; text: string } {
  if (!a.limited) return { throttled: false, text: '-' };
  const throttled = now - Date.parse(a.limited.at) < THROTTLED_FOR_MS;
  return { throttled, text: `${LIMIT_TEXT[a.limited.kind]?.[lang] ?? a.limited.kind} ×${a.limited.count} ${cst(a.limited.at)}` };
}

export function agentsTable(rows: AgentRow[], lang: Lang, now = Date.now()): string {
  const zh = lang === 'zh';
  if (!rows.length) return zh ? '没有代理。' : 'No agents.';
  return renderTable(
    zh ? ['代理', '机构', '状态', '最后联系', '版本', '严重/一般/轻微', '待发送', '限制'] : ['agent', 'site', 'state', 'last seen', 'version', 'crit/maj/min', 'outbox', 'limited'],
    rows.map((a) => {
      const limit = limitText(a, lang, now);
      const presence = a.online ? (zh ? '在线' : 'online') : zh ? '离线' : 'offline';
      return [
        a.id,
        `${a.siteCode} ${a.siteName}`.trim(),
        limit.throttled ? `${presence}${zh ? '（限流）' : ' (throttled)'}` : presence,
        cst(a.lastSeen),
        a.version,
        `${a.openFaults.critical}/${a.openFaults.major}/${a.openFaults.minor}`,
        a.health ? String(a.health.outboxDepth) : '-',
        limit.text,
      ];
    }),
  );
}

export function faultsTable(rows: FaultRow[], lang: Lang): string {
  const zh = lang === 'zh';
  if (!rows.length) return zh ? '没有符合条件的故障。' : 'No faults match.';
  return renderTable(
    zh ? ['故障编号', '级别', '状态', '故障码', '标题', '代理', '对象', '发现时间', '到达', '确认'] : ['fault id', 'grade', 'state', 'code', 'title', 'agent', 'subject', 'detected', 'receipt', 'response'],
    rows.map((f) => [
      f.id.slice(0, 8),
      zh ? SEVERITY_TEXT[f.severity].zh : f.severity,
      STATE_TEXT[f.state]?.[lang] ?? f.state,
      f.code,
      f.title[lang],
      f.agentId,
      f.subject,
      cst(f.detectedAt),
      duration(f.receiptSeconds),
      duration(f.responseSeconds),
    ]),
  );
}

export function timelineTable(fault: FaultRow, entries: TimelineEntry[], lang: Lang): string {
  const zh = lang === 'zh';
  const head = `${fault.code} ${fault.title[lang]} — ${fault.agentId} / ${fault.subject} (${fault.id})`;
  return [
    head,
    '',
    renderTable(
      zh ? ['时间', '事件', '序号', '级别', '操作人', '服务台收到'] : ['time', 'what', 'seq', 'grade', 'by', 'desk received'],
      entries.map((e) => [
        cst(e.at),
        e.what === 'acknowledgement'
          ? `${zh ? '确认' : 'acknowledged'} (${e.kind})${e.note ? `: ${e.note}` : ''}`
          : e.what === 'notification'
            ? `${zh ? '通知' : 'notice'}: ${e.kind}`
            : e.kind,
        e.seq === undefined ? '' : String(e.seq),
        e.severity ? (zh ? SEVERITY_TEXT[e.severity].zh : e.severity) : '',
        e.by ?? '',
        cst(e.receivedAt),
      ]),
    ),
  ].join('\n');
}

export function reportTable(r: ServiceReport & { month: string }, lang: Lang): string {
  const zh = lang === 'zh';
  const rows = (['critical', 'major', 'minor'] as const).map((s) => {
    const t = r.totals[s];
    return [
      zh ? SEVERITY_TEXT[s].zh : s,
      String(t.faults),
      `${t.respond.met}/${t.respond.missed}/${t.respond.pending}`,
      s === 'minor' ? '-' : `${t.resolve.met}/${t.resolve.missed}/${t.resolve.pending}`,
      duration(t.medianReceiptSeconds),
    ];
  });
  const targets = zh
    ? `合同目标：${r.targets.respondMinutes} 分钟内响应；严重故障 ${r.targets.resolveHours.critical} 小时、一般故障 ${r.targets.resolveHours.major} 小时内解决`
    : `contract: respond within ${r.targets.respondMinutes} min; resolve critical within ${r.targets.resolveHours.critical} h, major within ${r.targets.resolveHours.major} h`;
  return [
    `${zh ? '服务月报' : 'Service report'} ${r.month} (${cst(r.from)} – ${cst(r.to)})`,
    targets,
    '',
    renderTable(zh ? ['级别', '故障数', '响应 达标/超时/待定', '解决 达标/超时/待定', '到达中位数'] : ['grade', 'faults', 'respond met/missed/pending', 'resolve met/missed/pending', 'median receipt'], rows),
  ].join('\n');
}
