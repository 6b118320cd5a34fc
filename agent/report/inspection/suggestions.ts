import type { Text } from '../../core/text.js';
import { failures, type SubjectMonth } from '../summary.js';
import { LIMITS } from './checklist.js';
import { dateOfDay, dayNumber, linearFit } from './trend.js';

/** A generated suggestion and the measurements it rests on. */
export interface Suggestion {
  kind: 'cert_expiring' | 'disk_growth' | 'disk_full' | 'errors_rising';
  subject: string;
  text: Text;
  evidence: string;
}

/** When a trend is worth a suggestion (and below which it is not). */
export const TRIGGERS = {
  /** the CA renewal window */
  certDays: 90,
  /** a fit needs this many days of data */
  minDays: 7,
  /** growth below this (points per week) is noise */
  minGrowthPerWeek: 0.5,
  /** only a crossing this soon is worth saying */
  horizonDays: 120,
  /** failures this many times last month's, and at least minFailures */
  errorFactor: 3,
  minFailures: 3,
} as const;

const ERROR_TYPES = new Set(['reader', 'token', 'settlement', 'certserver']);

export interface SuggestionInput {
  subjects: SubjectMonth[];
  previous: SubjectMonth[];
  types: Record<string, string>;
}

export function buildSuggestions(input: SuggestionInput): Suggestion[] {
  const out: Suggestion[] = [];
  for (const s of input.subjects) {
    const type = input.types[s.checkId];
    if (type === 'cert') certExpiry(s, out);
    if (type === 'disk') diskTrend(s, input.previous, out);
    if (type && ERROR_TYPES.has(type)) errorsRising(s, input.previous, type, out);
  }
  return out;
}

function certExpiry(s: SubjectMonth, out: Suggestion[]): void {
  const days = s.gauges.daysLeft?.last;
  if (days === undefined || days > TRIGGERS.certDays) return;
  out.push({
    kind: 'cert_expiring', subject: s.subject,
    text: days <= 0
      ? { zh: `证书 ${s.subject} 已过期：请立即更新`, en: `certificate ${s.subject} has expired: renew it now` }
      : { zh: `证书 ${s.subject} 将于 ${days} 天后到期：请安排更新`, en: `certificate ${s.subject} expires in ${days} days: schedule renewal` },
    evidence: `daysLeft ${days} on ${s.days.at(-1)?.date ?? '?'}; notAfter ${s.texts.notAfter?.slice(0, 10) ?? '?'}`,
  });
}

function diskTrend(s: SubjectMonth, previous: SubjectMonth[], out: Suggestion[]): void {
  for (const key of ['usedPercent', 'inodesUsedPercent'] as const) {
    const before = previous.find((p) => p.checkId === s.checkId && p.subject === s.subject)?.days ?? [];
    const points = [...before, ...s.days].filter((d) => d.g[key]).map((d) => ({ x: dayNumber(d.date), y: d.g[key]!.hi })).slice(-30);
    const last = points.at(-1);
    if (!last) continue;
    const what = key === 'usedPercent' ? { zh: '磁盘', en: 'disk' } : { zh: '磁盘索引节点', en: 'inodes of' };
    if (last.y >= LIMITS.usagePercent) {
      out.push({ kind: 'disk_full', subject: s.subject, text: { zh: `${what.zh} ${s.subject} 已达 ${last.y} %：请立即清理`, en: `${what.en} ${s.subject} at ${last.y} %: free space now` }, evidence: `${key} ${last.y} on ${dateOfDay(last.x)}` });
      continue;
    }
    if (points.length < TRIGGERS.minDays) continue;
    const fit = linearFit(points);
    if (!fit) continue;
    const perWeek = Math.round(fit.slope * 7 * 10) / 10;
    if (perWeek < TRIGGERS.minGrowthPerWeek) continue;
    const reachDay = Math.ceil((LIMITS.usagePercent - fit.intercept) / fit.slope);
    if (reachDay - last.x > TRIGGERS.horizonDays) continue;
    const date = dateOfDay(Math.max(reachDay, last.x + 1));
    out.push({
      kind: 'disk_growth', subject: s.subject,
      text: { zh: `${what.zh} ${s.subject} 已用 ${last.y} %，每周增长 ${perWeek} %：约 ${date} 达到 ${LIMITS.usagePercent} %`, en: `${what.en} ${s.subject} at ${last.y} % and growing ${perWeek} %/week: reaches ${LIMITS.usagePercent} % around ${date}` },
      evidence: `linear fit of ${points.length} daily maxima ${dateOfDay(points[0]!.x)}..${dateOfDay(last.x)}: ${Math.round(fit.slope * 1000) / 1000} points/day`,
    });
  }
}

function errorsRising(s: SubjectMonth, previous: SubjectMonth[], type: string, out: Suggestion[]): void {
  const now = failures(s);
  const prev = previous.find((p) => p.checkId === s.checkId && p.subject === s.subject);
  const before = prev ? failures(prev) : 0;
  if (now < TRIGGERS.minFailures || now < TRIGGERS.errorFactor * Math.max(before, 1)) return;
  const times = before ? Math.round((now / before) * 10) / 10 : undefined;
  const what = type === 'reader' ? { zh: '读卡器链路错误', en: 'reader link errors' } : { zh: '失败', en: 'failures' };
  out.push({
    kind: 'errors_rising', subject: s.subject,
    text: times
      ? { zh: `${s.subject} ${what.zh}本月增至上月的 ${times} 倍：请检查连接线与设备`, en: `${what.en} of ${s.subject} rose ${times}-fold this month: check its cable and device` }
      : { zh: `${s.subject} ${what.zh}本月出现 ${now} 次（上月无）：请检查`, en: `${now} ${what.en} of ${s.subject} this month (none last month): check it` },
    evidence: `${now} failed results this month (${Object.entries(s.reasons).map(([r, c]) => `${r}×${c}`).join(', ')}), ${before} last month`,
  });
}
