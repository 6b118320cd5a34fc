import type { Text } from '../../core/text.js';
import { failures, type SubjectMonth } from '../summary.js';
import type { FaultRow } from './sla.js';

export type ItemResult = 'pass' | 'fail' | 'n/a';

/** One row of the inspection table: what was inspected, the standard, what was observed, the verdict, the evidence. */
export interface ChecklistItem {
  item: Text;
  subject: string;
  standard: Text;
  observed: Text;
  result: ItemResult;
  evidence: string;
}

export interface ChecklistInput {
  subjects: SubjectMonth[];
  /** check id → check type */
  types: Record<string, string>;
  faults: FaultRow[];
  /** days with data, of the days of the month begun so far */
  coverage: { daysWithData: number; daysElapsed: number };
  starts: number;
}

export const LIMITS = { usagePercent: 90, availabilityPercent: 99, certDays: 30, memoryAvailablePercent: 10, coveragePercent: 90, backupRoom: 3 } as const;

const pct = (x: number) => `${Math.round(x * 10) / 10} %`;
const n = (s: SubjectMonth) => `${s.n} 次检测 / samples`;

type Rule = (s: SubjectMonth, input: ChecklistInput) => ChecklistItem | undefined;

function gaugeBelow(key: string, item: Text, limit: number): Rule {
  return (s) => {
    const g = s.gauges[key];
    if (!g) return undefined;
    return {
      item, subject: s.subject,
      standard: { zh: `使用率 < ${limit} %`, en: `usage < ${limit} %` },
      observed: { zh: `最高 ${pct(g.hi)}，月末 ${pct(g.last)}`, en: `worst ${pct(g.hi)}, latest ${pct(g.last)}` },
      result: g.hi < limit ? 'pass' : 'fail',
      evidence: `worst on ${s.worstDay[key] ?? '?'}; ${n(s)}`,
    };
  };
}

function reasonsText(s: SubjectMonth): string {
  const list = Object.entries(s.reasons).sort((a, b) => b[1] - a[1]).map(([r, c]) => `${r}×${c}`);
  return list.length ? list.join(', ') : 'no failures';
}

function noFailures(item: Text, standard: Text, observed: (s: SubjectMonth) => Text): Rule {
  return (s) => ({ item, subject: s.subject, standard, observed: observed(s), result: failures(s) === 0 ? 'pass' : 'fail', evidence: `${reasonsText(s)}; ${n(s)}` });
}

function faultTime(rows: FaultRow[], checkId: string, subject: string): { count: number; hours: number } {
  const mine = rows.filter((r) => r.checkId === checkId && r.subject === subject);
  return { count: mine.length, hours: Math.round(mine.reduce((h, r) => h + (r.resolutionHours ?? r.openHours ?? 0), 0) * 10) / 10 };
}

const connectivity = (item: Text): Rule => (s) => {
  const l = s.latency;
  return {
    item, subject: s.subject,
    standard: { zh: `可用率 ≥ ${LIMITS.availabilityPercent} %`, en: `availability ≥ ${LIMITS.availabilityPercent} %` },
    observed: { zh: `可用率 ${s.availability} %${l ? `，p50 ${l.p50} 毫秒，p95 ${l.p95} 毫秒` : ''}`, en: `availability ${s.availability} %${l ? `, p50 ${l.p50} ms, p95 ${l.p95} ms` : ''}` },
    result: s.availability >= LIMITS.availabilityPercent ? 'pass' : 'fail',
    evidence: `${reasonsText(s)}; max ${l?.max ?? '-'} ms; ${n(s)}`,
  };
};

const device = (item: Text): Rule => (s, input) => {
  const f = faultTime(input.faults, s.checkId, s.subject);
  const open = input.faults.some((r) => r.checkId === s.checkId && r.subject === s.subject && !r.resolvedAt);
  return {
    item, subject: s.subject,
    standard: { zh: '无未解决故障', en: 'no unresolved fault' },
    observed: { zh: `故障 ${f.count} 次，共 ${f.hours} 小时；可用率 ${s.availability} %`, en: `${f.count} fault(s), ${f.hours} h in all; availability ${s.availability} %` },
    result: open ? 'fail' : 'pass',
    evidence: `${reasonsText(s)}; ${n(s)}`,
  };
};

/** Rules by check type; a type may yield several rows per subject (disk: space and inodes are separate subjects). */
const RULES: Record<string, Rule[]> = {
  disk: [gaugeBelow('usedPercent', { zh: '磁盘空间', en: 'Disk space' }, LIMITS.usagePercent), gaugeBelow('inodesUsedPercent', { zh: '磁盘索引节点', en: 'Disk inodes' }, LIMITS.usagePercent)],
  memory: [
    (s) => {
      const g = s.gauges.availablePercent;
      if (!g) return undefined;
      return {
        item: { zh: '内存', en: 'Memory' }, subject: s.subject,
        standard: { zh: `可用内存 ≥ ${LIMITS.memoryAvailablePercent} %`, en: `available ≥ ${LIMITS.memoryAvailablePercent} %` },
        observed: { zh: `最低可用 ${pct(g.lo)}`, en: `lowest available ${pct(g.lo)}` },
        result: g.lo >= LIMITS.memoryAvailablePercent ? 'pass' : 'fail',
        evidence: `${reasonsText(s)}; ${n(s)}`,
      };
    },
  ],
  backup: [
    noFailures({ zh: '数据备份', en: 'Backups' }, { zh: '按时、非空', en: 'fresh and non-empty' }, (s) => ({
      zh: `最旧 ${s.gauges.newestAgeHours?.hi ?? '-'} 小时，最小 ${s.gauges.newestSizeBytes?.lo ?? '-'} 字节`,
      en: `oldest ${s.gauges.newestAgeHours?.hi ?? '-'} h, smallest ${s.gauges.newestSizeBytes?.lo ?? '-'} bytes`,
    })),
  ],
  logs: [
    noFailures({ zh: '系统日志', en: 'Logs' }, { zh: '无错误日志', en: 'no error lines' }, (s) => ({ zh: `错误行 ${s.gauges.matches?.sum ?? 0} 条`, en: `${s.gauges.matches?.sum ?? 0} error line(s)` })),
  ],
  settlement: [connectivity({ zh: '医保结算连通', en: 'Settlement connectivity' })],
  certserver: [connectivity({ zh: '证书服务器', en: 'Certificate server' })],
  cert: [
    (s) => {
      const g = s.gauges.daysLeft;
      if (!g) return undefined;
      const revoked = s.texts.revocation === 'revoked';
      return {
        item: { zh: '数字证书', en: 'Certificates' }, subject: s.subject,
        standard: { zh: `剩余 > ${LIMITS.certDays} 天，未吊销`, en: `> ${LIMITS.certDays} days left, not revoked` },
        observed: { zh: `剩余 ${g.last} 天，吊销状态 ${s.texts.revocation ?? '未检查'}`, en: `${g.last} days left, revocation ${s.texts.revocation ?? 'not checked'}` },
        result: g.last > LIMITS.certDays && !revoked ? 'pass' : 'fail',
        evidence: `expires ${s.texts.notAfter?.slice(0, 10) ?? '?'}; ${n(s)}`,
      };
    },
  ],
  reader: [device({ zh: '读卡器', en: 'Card readers' })],
  token: [device({ zh: 'USBKey 令牌', en: 'Tokens' })],
  clock: [
    noFailures({ zh: '系统时钟', en: 'Clock' }, { zh: '无偏差、无跳变', en: 'no skew or jump' }, (s) => ({
      zh: `最大偏差 ${Math.max(Math.abs(s.gauges.driftSeconds?.hi ?? 0), Math.abs(s.gauges.driftSeconds?.lo ?? 0))} 秒`,
      en: `largest drift ${Math.max(Math.abs(s.gauges.driftSeconds?.hi ?? 0), Math.abs(s.gauges.driftSeconds?.lo ?? 0))} s`,
    })),
  ],
};

/** The types the contracts ask for, in the order of the report; one "not configured" row for each one absent. */
const ORDER = ['disk', 'backup', 'logs', 'settlement', 'certserver', 'cert', 'reader', 'token', 'clock', 'memory'];
const OPTIONAL = new Set(['certserver', 'memory']);
const TITLES: Record<string, Text> = {
  disk: { zh: '磁盘空间', en: 'Disk space' }, backup: { zh: '数据备份', en: 'Backups' }, logs: { zh: '系统日志', en: 'Logs' },
  settlement: { zh: '医保结算连通', en: 'Settlement connectivity' }, cert: { zh: '数字证书', en: 'Certificates' },
  reader: { zh: '读卡器', en: 'Card readers' }, token: { zh: 'USBKey 令牌', en: 'Tokens' }, clock: { zh: '系统时钟', en: 'Clock' },
};

export function buildChecklist(input: ChecklistInput): ChecklistItem[] {
  const items: ChecklistItem[] = [];
  for (const type of ORDER) {
    const subjects = input.subjects.filter((s) => input.types[s.checkId] === type);
    const rows = subjects.flatMap((s) => (RULES[type] ?? []).map((rule) => rule(s, input)).filter((x): x is ChecklistItem => x !== undefined));
    if (type === 'backup') rows.push(...subjects.map((s) => backupRoom(s, input)).filter((x): x is ChecklistItem => x !== undefined));
    if (rows.length) items.push(...rows);
    else if (!OPTIONAL.has(type)) {
      items.push({ item: TITLES[type]!, subject: '-', standard: { zh: '已配置并有数据', en: 'configured, with data' }, observed: { zh: '未配置或本月无数据', en: 'not configured or no data this month' }, result: 'n/a', evidence: '-' });
    }
  }
  items.push(agentItem(input));
  return items;
}

/**
 * Room for more backups: the month's least free space on the disk holding the backup folder (the disk subject that
 * is the longest prefix of the backup's path) against the largest backup seen.
 */
function backupRoom(s: SubjectMonth, input: ChecklistInput): ChecklistItem | undefined {
  const size = s.gauges.newestSizeBytes?.hi;
  const disk = input.subjects
    .filter((d) => input.types[d.checkId] === 'disk' && d.gauges.availableBytes && (s.subject === d.subject || s.subject.startsWith(d.subject.endsWith('/') ? d.subject : `${d.subject}/`)))
    .sort((a, b) => b.subject.length - a.subject.length)[0];
  if (!size || !disk) return undefined;
  const free = disk.gauges.availableBytes!.lo;
  const room = Math.floor(free / size);
  const gb = (b: number) => `${Math.round((b / 1e9) * 10) / 10} GB`;
  return {
    item: { zh: '备份空间', en: 'Backup room' }, subject: s.subject,
    standard: { zh: `可再存 ≥ ${LIMITS.backupRoom} 份`, en: `room for ≥ ${LIMITS.backupRoom} more` },
    observed: { zh: `最少剩余 ${gb(free)}，可再存 ${room} 份`, en: `least free ${gb(free)}: room for ${room} more` },
    result: room >= LIMITS.backupRoom ? 'pass' : 'fail',
    evidence: `${disk.subject} availableBytes low ${free}; largest backup ${size} bytes`,
  };
}

function agentItem(input: ChecklistInput): ChecklistItem {
  const self = input.subjects.filter((s) => s.checkId === 'agent');
  const bad = self.reduce((x, s) => x + failures(s), 0);
  const { daysWithData, daysElapsed } = input.coverage;
  const coverage = daysElapsed ? Math.round((daysWithData / daysElapsed) * 1000) / 10 : 0;
  return {
    item: { zh: '监控代理自身', en: 'Agent health' }, subject: 'agent',
    standard: { zh: `存储正常，数据覆盖 ≥ ${LIMITS.coveragePercent} % 天数`, en: `store healthy, data on ≥ ${LIMITS.coveragePercent} % of days` },
    observed: { zh: `${daysWithData}/${daysElapsed} 天有数据，启动 ${input.starts} 次`, en: `data on ${daysWithData}/${daysElapsed} days, ${input.starts} start(s)` },
    result: bad === 0 && coverage >= LIMITS.coveragePercent ? 'pass' : 'fail',
    evidence: self.length ? self.map((s) => `${s.subject}: ${reasonsText(s)}`).join('; ') : 'no self-check data',
  };
}
