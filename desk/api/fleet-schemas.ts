import { Type, type Static } from '../../agent/core/schema/type.js';
import type { FleetSummary } from '../fleet-report.js';
import { Instant, Nullable } from './common-schemas.js';

/** The fleet part of GET /api/v1/report (desk/fleet-report.ts). */
const Percent = (description: string) => Nullable(Type.Number({ description: `${description}: percent of faults with a verdict, null when none had one` }));

export const ComplianceSchema = Type.Object({
  faults: Type.Number(),
  respondedInTime: Percent('responded (acknowledged) within the target'),
  criticalInTime: Percent('critical faults resolved within the target'),
  majorInTime: Percent('major faults resolved within the target'),
  fixedWithin2h: Percent('resolved within 2 h (open longer counts as not)'),
  fixedWithin4h: Percent('resolved within 4 h'),
});

export const FleetSummarySchema = Type.Object({
  compliance: ComplianceSchema,
  previous: ComplianceSchema,
  sites: Type.Array(
    Type.Object({
      siteCode: Type.String(),
      agents: Type.Number(),
      compliance: ComplianceSchema,
      inspection: Type.Object({ passed: Type.Number(), failed: Type.Number(), terminalsFailing: Type.Number() }, { description: "checklist items passed and failed over the site's terminals" }),
    }),
  ),
  inspections: Type.Array(
    Type.Object({ agentId: Type.String(), siteCode: Type.String(), complete: Type.Boolean(), pass: Type.Number(), fail: Type.Number(), na: Type.Number(), failed: Type.Array(Type.String()) }),
    { description: "each terminal's inspection checklist for the month (from its last heartbeat), most failed items first" },
  ),
  noInspection: Type.Array(Type.Object({ agentId: Type.String(), siteCode: Type.String() }), { description: 'terminals whose last heartbeat carries no inspection for the month' }),
  worstAgents: Type.Array(Type.Object({ agentId: Type.String(), siteCode: Type.String(), faults: Type.Number(), critical: Type.Number(), missed: Type.Number() }), { description: 'most critical, then most missed targets, then most faults; at most 10' }),
  byCode: Type.Array(Type.Object({ code: Type.String(), faults: Type.Number(), previous: Type.Number({ description: 'the same code in the previous month' }) })),
  silentAgents: Type.Array(Type.Object({ agentId: Type.String(), siteCode: Type.String(), lastSeen: Nullable(Instant) }), { description: 'agents whose last contact is before the month, or never' }),
});

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const same = <T extends true>(_proof?: T): void => undefined;
same<Same<Static<typeof FleetSummarySchema>, FleetSummary>>();
