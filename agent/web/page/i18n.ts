/**
 * /static/i18n.js — the page's own words in both languages and the formatting of times, durations and sizes.
 * Text only ever goes into the page through textContent, never as markup.
 */
import type { Lang, Text } from './snapshot.js';

/** Each key's words: [Chinese, English]. */
const WORDS = {
  title: ['Guardpost 本机状态', 'Guardpost — this terminal'],
  connecting: ['正在连接监控程序…', 'Connecting to the agent…'],
  lost: ['与监控程序失去联系（自 {t}），正在自动重新连接。页面上的信息可能已过时。', 'Lost contact with the agent since {t}; reconnecting by itself. What you see may be out of date.'],
  reloading: ['监控程序已重新启动，正在刷新页面…', 'The agent restarted; reloading the page…'],
  runChecks: ['立即检查', 'Run checks now'],
  running: ['正在检查…', 'Checking…'],
  runDone: ['检查完成 {t}', 'Checked at {t}'],
  runFailed: ['检查未能启动：{e}', 'Checks could not start: {e}'],
  copyDiag: ['复制诊断信息', 'Copy diagnostics'],
  copied: ['诊断信息已复制，可粘贴给服务热线。', 'Diagnostics copied: paste them to the hotline.'],
  copyFailed: ['无法自动复制，请选中下面的文字后按 Ctrl+C 复制。', 'Could not copy automatically: select the text below and press Ctrl+C.'],
  close: ['关闭', 'Close'],
  langToggle: ['English', '中文'],
  counts: ['严重 {c} · 一般 {m} · 轻微 {n}', 'critical {c} · major {m} · minor {n}'],
  updated: ['更新于 {t}', 'updated {t}'],
  faults: ['当前故障', 'Open faults'],
  noFaults: ['当前没有故障。', 'No open faults.'],
  whatToDo: ['您可以：', 'What you can do:'],
  since: ['自 {t}', 'since {t}'],
  times: ['出现 {n} 次', 'seen {n}×'],
  muted: ['可能由“{f}”引起，请先处理该问题', 'probably caused by “{f}”: deal with that first'],
  flapping: ['时好时坏', 'flapping'],
  'delivery.no-desk': ['未配置服务台', 'No service desk configured'],
  'delivery.waiting': ['等待发送到服务台', 'Waiting to reach the desk'],
  'delivery.received': ['服务台已收到', 'The desk has received it'],
  'delivery.acknowledged': ['服务台已确认', 'Acknowledged by the desk'],
  ackNote: ['{by} 于 {t} 确认：{note}', '{by} acknowledged at {t}: {note}'],
  'sev.critical': ['严重', 'critical'],
  'sev.major': ['一般', 'major'],
  'sev.minor': ['轻微', 'minor'],
  checks: ['检查项目', 'Checks'],
  colCheck: ['项目', 'Check'],
  colResult: ['结果', 'Result'],
  colWhen: ['时间', 'When'],
  colTime: ['耗时', 'Took'],
  colDetail: ['说明', 'Details'],
  'state.ok': ['正常', 'OK'],
  'state.fail': ['异常', 'Failed'],
  'state.pending': ['尚未运行', 'Not run yet'],
  allOk: ['{n} 项均正常', 'all {n} fine'],
  every: ['每 {s}', 'every {s}'],
  tunnel: ['服务台连接', 'Service desk link'],
  linkState: ['状态', 'State'],
  'tunnel.disabled': ['未启用', 'Not configured'],
  'tunnel.connecting': ['正在连接', 'Connecting'],
  'tunnel.connected': ['已连接', 'Connected'],
  'tunnel.disconnected': ['已断开', 'Disconnected'],
  lastContact: ['最近联系', 'Last contact'],
  waiting: ['待发送事件', 'Events waiting'],
  oldest: ['最早一条', 'Oldest'],
  lastError: ['最近错误', 'Last error'],
  never: ['从未', 'never'],
  site: ['本机信息', 'This terminal'],
  institution: ['机构名称', 'Institution'],
  code: ['机构编码', 'Institution code'],
  area: ['医保区划', 'Insurance area'],
  terminal: ['终端编号', 'Terminal ID'],
  agentId: ['代理编号', 'Agent ID'],
  version: ['代理版本', 'Agent version'],
  uptime: ['已运行', 'Up for'],
  history: ['最近变化（最近 50 条）', 'Recent changes (last 50)'],
  noHistory: ['本次启动以来没有变化。', 'No changes since the agent started.'],
  colSeq: ['序号', 'Seq'],
  colKind: ['变化', 'Change'],
  colFault: ['故障', 'Fault'],
  colSubject: ['对象', 'Subject'],
  colDesk: ['服务台', 'Desk'],
  'kind.opened': ['出现', 'opened'],
  'kind.updated': ['变化', 'changed'],
  'kind.acknowledged': ['已确认', 'acknowledged'],
  'kind.resolved': ['已恢复', 'resolved'],
  consentTitle: ['服务台请求远程协助本机', 'The service desk asks to assist this terminal remotely'],
  consentAsk: ['只有在您同意后，工程师才能连接。不确定时请先致电服务热线核实。', 'The engineer can connect only if you allow it. If unsure, call the hotline first.'],
  engineer: ['工程师', 'Engineer'],
  ticket: ['工单号', 'Ticket'],
  purpose: ['目的', 'Purpose'],
  wants: ['需要的权限', 'Asks to'],
  'cap.view': ['查看本机状态与日志', 'view this terminal’s status and logs'],
  'cap.terminal': ['在本机执行命令', 'run commands on this terminal'],
  'cap.files': ['传输文件', 'transfer files'],
  'cap.relay': ['转发网络连接（如医保平台）', 'relay network connections (e.g. to the settlement platform)'],
  maxTime: ['最长 {n} 分钟', 'at most {n} min'],
  autoDeny: ['{s} 秒后无应答将自动拒绝', 'declined automatically in {s} s without an answer'],
  approve: ['允许协助', 'Allow'],
  deny: ['拒绝', 'Decline'],
  assistOn: ['远程协助进行中：{e}', 'Remote assistance in progress: {e}'],
  assistTime: ['已进行 {d}，最迟 {t} 自动结束', 'running for {d}, ends by {t} at the latest'],
  endAssist: ['结束协助', 'End session'],
  actionFailed: ['操作失败：{e}', 'That did not work: {e}'],
  pid: ['进程', 'pid'],
  rss: ['内存', 'memory'],
} satisfies Record<string, readonly [zh: string, en: string]>;

/** A key of the page's own words. Keys built from the snapshot's values (`sev.${severity}`) are checked too. */
export type WordKey = keyof typeof WORDS;
export type Vars = Record<string, string | number>;

/** For keys read back from the page's markup (data-i18n, data-key), which no compiler sees. */
export function isWordKey(key: string): key is WordKey {
  return Object.prototype.hasOwnProperty.call(WORDS, key);
}

export function t(lang: Lang, key: WordKey, vars?: Vars): string {
  // Typed as always there, but a snapshot value the types do not know yet (`sev.${new}`) shows its key, not a crash.
  const pair: readonly [string, string] | undefined = WORDS[key];
  let s = pair ? pair[lang === 'en' ? 1 : 0] : key;
  if (vars) Object.keys(vars).forEach((k) => { s = s.split('{' + k + '}').join(String(vars[k])); });
  return s;
}

/** A server-side Text {zh, en} in the chosen language. */
export function tx(lang: Lang, text: Text | undefined): string {
  return text ? (lang === 'en' ? text.en : text.zh) : '';
}

function pad(n: number): string {
  return (n < 10 ? '0' : '') + n;
}

export function clock(iso: string | null | undefined): string {
  if (!iso) return '-';
  const d = new Date(iso);
  return pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
}

/** Time of day when it is today, else the date too. */
export function when(iso: string | undefined): string {
  if (!iso) return '-';
  const d = new Date(iso);
  const sameDay = d.toDateString() === new Date().toDateString();
  return (sameDay ? '' : d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' ') + clock(iso);
}

export function span(lang: Lang, seconds: number): string {
  seconds = Math.max(0, Math.round(seconds));
  const zh = lang !== 'en';
  if (seconds < 60) return seconds + (zh ? ' 秒' : ' s');
  const m = Math.floor(seconds / 60);
  if (m < 60) return m + (zh ? ' 分钟' : ' min');
  const h = Math.floor(m / 60);
  if (h < 48) return h + (zh ? ' 小时' : ' h') + (m % 60 ? ' ' + (m % 60) + (zh ? ' 分' : ' min') : '');
  return Math.floor(h / 24) + (zh ? ' 天' : ' days');
}

export function ago(lang: Lang, iso: string | null | undefined): string {
  if (!iso) return '';
  const s = (Date.now() - new Date(iso).getTime()) / 1000;
  if (s < 5) return lang === 'en' ? 'just now' : '刚刚';
  return lang === 'en' ? span(lang, s) + ' ago' : span(lang, s) + '前';
}

export function ms(n: number | undefined): string {
  if (n === undefined) return '-';
  return n < 1000 ? Math.round(n) + ' ms' : (n / 1000).toFixed(1) + ' s';
}

export function mmss(seconds: number): string {
  seconds = Math.max(0, Math.floor(seconds));
  return Math.floor(seconds / 60) + ':' + pad(seconds % 60);
}
