import { Type, type Static } from '../../core/schema/type.js';
import type { Severity } from '../../core/severity.js';

export const PROCESS_DEFAULTS = { match: 'name', minCount: 1, severity: 'major', title: '' } as const;

export const WatchedProcessSchema = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: 500,
      description: 'match "name": the exact executable name ("SettlementClient.exe", "java"); match "commandLine": a regular expression over the command line',
    }),
    match: Type.Optional(
      Type.Union([Type.Literal('name'), Type.Literal('commandLine')], {
        default: PROCESS_DEFAULTS.match,
        description: 'compare the executable name, or search the command line (names compare case-insensitively on Windows, where ".exe" may be left out)',
      }),
    ),
    minCount: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 1000, default: PROCESS_DEFAULTS.minCount, description: 'instances that must be running' }),
    ),
    severity: Type.Optional(
      Type.Union([Type.Literal('critical'), Type.Literal('major'), Type.Literal('minor')], {
        default: PROCESS_DEFAULTS.severity,
        description: 'severity of PROCESS_MISSING for this process',
      }),
    ),
    title: Type.Optional(
      Type.String({ maxLength: 100, default: PROCESS_DEFAULTS.title, description: 'what people at the site call it, e.g. "医保结算客户端"; used in messages; empty: the name' }),
    ),
  },
  { additionalProperties: false },
);

export const processSchema = Type.Object(
  {
    processes: Type.Array(WatchedProcessSchema, { minItems: 1, maxItems: 64, description: 'processes that must be running; each is one subject, keyed by its name' }),
  },
  { additionalProperties: false },
);

export type WatchedProcess = Static<typeof WatchedProcessSchema>;
export type ProcessConfig = Static<typeof processSchema>;

export interface ResolvedProcess {
  name: string;
  match: 'name' | 'commandLine';
  minCount: number;
  severity: Severity;
  title: string;
}

export function resolveProcess(p: WatchedProcess): ResolvedProcess {
  return {
    name: p.name,
    match: p.match ?? PROCESS_DEFAULTS.match,
    minCount: p.minCount ?? PROCESS_DEFAULTS.minCount,
    severity: p.severity ?? PROCESS_DEFAULTS.severity,
    title: p.title ?? PROCESS_DEFAULTS.title,
  };
}
