import { localDay, readMonthFile, type MonthFile } from '../core/store/rollup/month-file.js';
import { buildReport, type InspectionReport, type ReportSite } from './inspection/build.js';
import { parseMonth, previousMonth } from './month.js';

/** Where a month's roll-ups come from: the running agent's store (the month so far, unwritten counts included), else the files. */
export interface RollupSource {
  /** the month being written, and a copy of it */
  readonly month: string;
  snapshot(): MonthFile;
}

export interface GenerateOptions {
  /** the agent's state directory */
  dir: string;
  /** "YYYY-MM"; undefined: the current month */
  month?: string;
  live?: RollupSource;
  site: ReportSite;
  agentId: string;
  version: string;
  types: Record<string, string>;
  now?: Date;
  utcOffsetMinutes?: number;
}

export async function generateReport(o: GenerateOptions): Promise<InspectionReport> {
  const now = o.now ?? new Date();
  const offset = o.utcOffsetMinutes ?? -now.getTimezoneOffset();
  const current = o.live?.month ?? localDay(now, offset).month;
  const month = parseMonth(o.month, current);
  const read = (m: string) => (o.live && m === o.live.month ? Promise.resolve(o.live.snapshot()) : readMonthFile(o.dir, m));
  const [data, previous] = await Promise.all([read(month), read(previousMonth(month))]);
  return buildReport({ month, site: o.site, agentId: o.agentId, version: o.version, types: o.types, data, previous, now });
}
