import { SEVERITY_TEXT } from '../core/severity.js';
import type { Lang, Text } from '../core/text.js';
import type { Delivery, Snapshot } from './schemas/views.js';

/**
 * The plain-text summary the cashier copies for the hotline: who, what is wrong, since when, whether the desk has
 * it, the checks and the recent changes. Built only from the snapshot, which holds no secrets; URLs lose any
 * user-info all the same.
 */

const L = (zh: string, en: string): Text => ({ zh, en });

const DELIVERY: Record<Delivery, Text> = {
  'no-desk': L('未配置服务台', 'no desk configured'),
  waiting: L('等待发送到服务台', 'waiting to reach the desk'),
  received: L('服务台已收到', 'received by the desk'),
  acknowledged: L('服务台已确认', 'acknowledged by the desk'),
};

const TUNNEL: Record<Snapshot['status']['tunnel']['state'], Text> = {
  disabled: L('未启用', 'not configured'),
  connecting: L('正在连接', 'connecting'),
  connected: L('已连接', 'connected'),
  disconnected: L('已断开', 'disconnected'),
};

const CHECK_STATE: Record<Snapshot['checks'][number]['state'], Text> = {
  ok: L('正常', 'ok'),
  fail: L('失败', 'failed'),
  pending: L('尚未运行', 'not run yet'),
};

/** Local wall time with its UTC offset, e.g. "2026-05-01 10:32:05 +08:00": what the cashier's screen clock shows. */
export function localTime(iso: string | undefined): string {
  if (!iso) return '-';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n: number) => String(Math.abs(n)).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ` +
    `${off >= 0 ? '+' : '-'}${pad(Math.trunc(off / 60))}:${pad(off % 60)}`
  );
}

export function withoutUserInfo(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1');
}

const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;

function duration(seconds: number, lang: Lang): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return lang === 'zh' ? `${h} 小时 ${m} 分` : `${h} h ${m} min`;
}

export function diagnosticsText(s: Snapshot, lang: Lang): string {
  const t = (x: Text) => x[lang];
  const zh = lang === 'zh';
  const st = s.status;
  const lines: string[] = [];
  lines.push(`Guardpost ${zh ? '诊断信息' : 'diagnostics'} — ${localTime(s.generatedAt)}`);
  lines.push(`${zh ? '机构' : 'Institution'}: ${st.site.fixmedins_name} ${st.site.fixmedins_code} (${st.site.mdtrtarea_admvs})`);
  lines.push(`${zh ? '终端' : 'Terminal'}: ${st.site.terminalId}   ${zh ? '代理' : 'Agent'}: ${st.agent.id} v${st.agent.version} (${st.agent.profile}), ${zh ? '已运行' : 'up'} ${duration(st.agent.uptimeSeconds, lang)}, pid ${st.agent.pid}`);
  lines.push(
    `${zh ? '总体状态' : 'Overall'}: ${t(st.overallText)} (${st.overall}) — ` +
      (['critical', 'major', 'minor'] as const).map((sev) => `${t(SEVERITY_TEXT[sev])} ${st.counts[sev]}`).join(', '),
  );
  lines.push('');
  lines.push(`${zh ? '当前故障' : 'Open faults'} (${s.faults.length}):`);
  if (!s.faults.length) lines.push(`  ${zh ? '无' : 'none'}`);
  for (const f of s.faults) {
    const muted = f.inhibitedBy.length ? (zh ? '，已被其他故障抑制' : ', muted by another fault') : '';
    lines.push(`  [${t(SEVERITY_TEXT[f.severity])}] ${f.code} ${t(f.title)} — ${f.checkId} ${f.subject}`);
    lines.push(`      ${zh ? '自' : 'since'} ${localTime(f.firstSeen)}, ${f.occurrences} ${zh ? '次' : 'time(s)'}; ${t(DELIVERY[f.delivery])}${f.acknowledgedBy ? ` (${f.acknowledgedBy}${f.acknowledgedNote ? `: ${f.acknowledgedNote}` : ''})` : ''}${muted}`);
    lines.push(`      ${t(f.detail)}`);
  }
  lines.push('');
  lines.push(`${zh ? '检查' : 'Checks'}:`);
  for (const c of s.checks) {
    const failed = c.results.filter((r) => r.status === 'fail');
    const why = failed.map((r) => `${r.subject}: ${r.reason}`).join('; ');
    lines.push(`  ${c.id} (${c.type}) ${t(CHECK_STATE[c.state])} ${localTime(c.lastRunAt)}${why ? ` — ${why}` : ''}`);
  }
  const tun = st.tunnel;
  lines.push('');
  lines.push(
    `${zh ? '服务台连接' : 'Desk link'}: ${t(TUNNEL[tun.state])}${tun.deskUrl ? ` ${withoutUserInfo(tun.deskUrl)}` : ''}; ` +
      `${zh ? '最近联系' : 'last contact'} ${localTime(tun.lastContactAt)}; ${zh ? '待发送事件' : 'events waiting'} ${st.store.outboxDepth}` +
      (st.store.oldestPendingAt ? ` (${zh ? '最早' : 'oldest'} ${localTime(st.store.oldestPendingAt)})` : '') +
      (tun.lastError ? `; ${zh ? '错误' : 'error'}: ${tun.lastError}` : ''),
  );
  lines.push(
    `${zh ? '存储' : 'Store'}: ${zh ? '丢弃' : 'evicted'} ${st.store.evicted}` +
      (st.store.writeError ? `; ${zh ? '写入失败' : 'write failing'}: ${st.store.writeError.message}` : '') +
      `; ${zh ? '进程内存' : 'process RSS'} ${mb(st.process.rssBytes)}, CPU ${((st.process.cpuUserMs + st.process.cpuSystemMs) / 1000).toFixed(1)} s`,
  );
  if (s.consent.live) {
    const c = s.consent.live;
    lines.push(`${zh ? '远程协助' : 'Remote assistance'}: ${c.state} — ${c.engineer}${c.ticket ? ` #${c.ticket}` : ''} (${c.capabilities.join(', ')})`);
  }
  lines.push('');
  const recent = s.history.slice(0, 10);
  lines.push(`${zh ? '最近变化' : 'Recent changes'} (${recent.length}/${s.history.length}):`);
  for (const h of recent) lines.push(`  #${h.seq} ${localTime(h.at)} ${h.kind} ${h.code} ${h.checkId} ${h.subject}`);
  return lines.join('\n') + '\n';
}
