import type { MonthFile } from '../../core/store/rollup/month-file.js';
import { monthDays } from '../month.js';
import { summarizeMonth, type SubjectMonth } from '../summary.js';
import { buildChecklist, type ChecklistItem } from './checklist.js';
import { faultRows, slaSummary, type FaultRow, type SlaSummary } from './sla.js';
import { buildSuggestions, type Suggestion } from './suggestions.js';

export interface ReportSite {
  fixmedins_code: string;
  fixmedins_name: string;
  terminalId?: string;
}

export interface ReportInput {
  month: string;
  site: ReportSite;
  agentId: string;
  version: string;
  /** check id → check type, from the configuration */
  types: Record<string, string>;
  data: MonthFile | undefined;
  previous: MonthFile | undefined;
  now: Date;
}

/** The whole report as data: `--format json` prints it, the HTML and PDF render it. */
export interface InspectionReport {
  month: string;
  site: ReportSite;
  agentId: string;
  version: string;
  generatedAt: string;
  /** false while the month is still running: the report is "so far" */
  complete: boolean;
  coverage: { daysWithData: number; daysElapsed: number; daysInMonth: number };
  result: { pass: number; fail: number; na: number };
  checklist: ChecklistItem[];
  faults: FaultRow[];
  sla: SlaSummary;
  suggestions: Suggestion[];
  figures: SubjectMonth[];
  dropped: { subjects: number; faults: number };
}

export function buildReport(input: ReportInput): InspectionReport {
  const offset = input.data?.utcOffsetMinutes ?? 480;
  const span = monthDays(input.month, input.now, offset);
  const subjects = summarizeMonth(input.data);
  const previous = summarizeMonth(input.previous);
  const [y, m] = input.month.split('-').map(Number) as [number, number];
  const monthEnd = new Date(Date.UTC(y, m, 1) - offset * 60_000);
  const asOf = span.finished ? monthEnd : input.now;
  const faults = faultRows(input.data?.faults ?? {}, asOf);
  const days = new Set<string>();
  for (const s of subjects) for (const d of s.days) days.add(d.date);
  const coverage = { daysWithData: days.size, daysElapsed: span.elapsed, daysInMonth: span.days };
  const checklist = buildChecklist({ subjects, types: input.types, faults, coverage, starts: input.data?.starts.length ?? 0 });
  // The agent's self-check is the agent-health row; it is not a measured figure of the terminal.
  const figures = subjects.map((s) => ({ ...s, days: [] }));
  return {
    month: input.month,
    site: input.site,
    agentId: input.agentId,
    version: input.version,
    generatedAt: input.now.toISOString(),
    complete: span.finished,
    coverage,
    result: {
      pass: checklist.filter((i) => i.result === 'pass').length,
      fail: checklist.filter((i) => i.result === 'fail').length,
      na: checklist.filter((i) => i.result === 'n/a').length,
    },
    checklist,
    faults,
    sla: slaSummary(faults),
    suggestions: buildSuggestions({ subjects, previous, types: input.types }),
    figures,
    dropped: input.data?.dropped ?? { subjects: 0, faults: 0 },
  };
}
