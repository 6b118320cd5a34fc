import { Type } from '../../core/schema/type.js';

/**
 * JSON Schemas of the fault data carried by the protocol, mirroring agent/core/faults/types.ts (Fault,
 * FaultTransition). Lengths are bounded so a broken or hostile peer cannot make the receiver hold huge strings.
 * Unknown properties are allowed (ignored by older receivers) so fields can be added within a protocol version.
 */

export const DATE_TIME_PATTERN = '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$';

export const DateTime = Type.String({
  pattern: DATE_TIME_PATTERN,
  maxLength: 40,
  description: 'ISO-8601 date and time with zone, e.g. 2026-07-01T08:30:00.000Z',
});

const Seq = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'per-agent sequence number' });
export { Seq };

export const SeqOrZero = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

export const Text = Type.Object(
  { zh: Type.String({ maxLength: 4096 }), en: Type.String({ maxLength: 4096 }) },
  { description: 'a text in Chinese and English' },
);

export const Severity = Type.Union([Type.Literal('critical'), Type.Literal('major'), Type.Literal('minor')]);

const EvidenceValue = Type.Union([Type.Number(), Type.String({ maxLength: 4096 }), Type.Boolean(), Type.Null()]);

export const FaultSchema = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 128, description: 'occurrence id, new each time the fault opens' }),
    key: Type.String({ minLength: 1, maxLength: 256, description: 'stable key: hash(agent, check, subject, code)' }),
    code: Type.String({ pattern: '^[A-Z][A-Z0-9_]*$', maxLength: 64 }),
    severity: Severity,
    title: Text,
    detail: Text,
    checkId: Type.String({ minLength: 1, maxLength: 128 }),
    subject: Type.String({ maxLength: 1024 }),
    labels: Type.Record(Type.String(), Type.String({ maxLength: 1024 }), { maxProperties: 64, propertyNames: { maxLength: 128 } }),
    evidence: Type.Record(Type.String(), EvidenceValue, { maxProperties: 128, propertyNames: { maxLength: 128 } }),
    firstSeen: DateTime,
    lastSeen: DateTime,
    occurrences: Type.Integer({ minimum: 0 }),
    state: Type.Union([Type.Literal('open'), Type.Literal('acknowledged'), Type.Literal('resolved')]),
    acknowledgedBy: Type.Optional(Type.String({ maxLength: 256 })),
    acknowledgedAt: Type.Optional(DateTime),
    acknowledgedNote: Type.Optional(Type.String({ maxLength: 1024 })),
    resolvedAt: Type.Optional(DateTime),
    flapping: Type.Optional(Type.Boolean()),
    inhibitedBy: Type.Array(Type.String({ maxLength: 256 }), { maxItems: 256 }),
  },
  { description: 'one fault occurrence as the agent sees it' },
);

export const TransitionSchema = Type.Object(
  {
    seq: Seq,
    kind: Type.Union([Type.Literal('opened'), Type.Literal('updated'), Type.Literal('acknowledged'), Type.Literal('resolved')]),
    at: DateTime,
    detectedAt: DateTime,
    changed: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 32 })),
    fault: FaultSchema,
  },
  { description: 'a change of a fault; `at` is when it happened, `detectedAt` when the occurrence was first detected' },
);

