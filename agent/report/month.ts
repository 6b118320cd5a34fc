import { MONTH_PATTERN, shiftMonth } from '../core/store/rollup/month-file.js';

/** Bad report input (month, format): the message names what is wrong, in Chinese and English. */
export class ReportInputError extends Error {
  constructor(readonly zh: string, readonly en: string) {
    super(`${zh} / ${en}`);
    this.name = 'ReportInputError';
  }
}

export const REPORT_FORMATS = ['html', 'json', 'pdf'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** "YYYY-MM" checked; `current` is the month the agent writes now (a later one has no data yet). */
export function parseMonth(input: string | undefined, current: string): string {
  if (input === undefined) return current;
  if (!MONTH_PATTERN.test(input)) throw new ReportInputError(`月份 "${input}" 格式错误，应为 YYYY-MM（如 ${current}）`, `--month "${input}" is not a month: expected YYYY-MM (e.g. ${current})`);
  if (input > current) throw new ReportInputError(`月份 ${input} 尚未开始（本月为 ${current}）`, `month ${input} has not begun yet (this month is ${current})`);
  return input;
}

export function parseFormat(input: string | undefined): ReportFormat {
  if (input === undefined) return 'html';
  if ((REPORT_FORMATS as readonly string[]).includes(input)) return input as ReportFormat;
  throw new ReportInputError(`未知格式 "${input}"，可选 ${REPORT_FORMATS.join('、')}`, `unknown --format "${input}": use one of ${REPORT_FORMATS.join(', ')}`);
}

export function previousMonth(month: string): string {
  return shiftMonth(month, 1);
}

/** Days in a month, and how many of them have begun by `now` in the zone of the month's days. */
export function monthDays(month: string, now: Date, offsetMinutes: number): { days: number; elapsed: number; finished: boolean } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const localNow = new Date(now.getTime() + offsetMinutes * 60_000);
  const start = Date.UTC(y, m - 1, 1);
  const end = Date.UTC(y, m, 1);
  const t = localNow.getTime();
  if (t >= end) return { days, elapsed: days, finished: true };
  if (t < start) return { days, elapsed: 0, finished: false };
  return { days, elapsed: Math.floor((t - start) / 86_400_000) + 1, finished: false };
}
