import { Type, type Static } from '../../core/schema/type.js';

export const CLOCK_DEFAULTS = { thresholdSeconds: 120, holdMinutes: 60 } as const;

export const clockSchema = Type.Object(
  {
    thresholdSeconds: Type.Optional(
      Type.Number({ minimum: 1, maximum: 86_400, default: CLOCK_DEFAULTS.thresholdSeconds, description: 'a change of the wall clock between two runs, beyond the time that really passed, larger than this is a jump' }),
    ),
    holdMinutes: Type.Optional(
      Type.Number({ minimum: 1, maximum: 10_080, default: CLOCK_DEFAULTS.holdMinutes, description: 'how long a jump keeps being reported as failing after it was seen, so it is noticed' }),
    ),
  },
  { additionalProperties: false },
);

export type ClockConfig = Static<typeof clockSchema>;
