import { Type, type Static } from '../../core/schema/type.js';

export const MEMORY_DEFAULTS = {
  availableMinorPercent: 10,
  availableMajorPercent: 5,
  availableMajorMiB: 256,
  swapMinorPercent: 50,
  swapMajorPercent: 80,
  loadWindowMinutes: 5,
  loadMinorPerCore: 2,
  loadMajorPerCore: 4,
} as const;

export const memorySchema = Type.Object(
  {
    availableMinorPercent: Type.Optional(
      Type.Number({ minimum: 0, maximum: 100, default: MEMORY_DEFAULTS.availableMinorPercent, description: 'MEMORY_LOW (minor) when available memory falls below this % of total' }),
    ),
    availableMajorPercent: Type.Optional(
      Type.Number({ minimum: 0, maximum: 100, default: MEMORY_DEFAULTS.availableMajorPercent, description: 'MEMORY_LOW (major) when available memory falls below this % of total' }),
    ),
    availableMajorMiB: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 1_048_576, default: MEMORY_DEFAULTS.availableMajorMiB, description: 'MEMORY_LOW (major) when fewer MiB are available, whatever the percentage (small till PCs); 0 turns it off' }),
    ),
    swapMinorPercent: Type.Optional(
      Type.Number({ minimum: 0, maximum: 100, default: MEMORY_DEFAULTS.swapMinorPercent, description: 'SWAP_HIGH (minor) when this % of swap is in use; not judged without swap' }),
    ),
    swapMajorPercent: Type.Optional(
      Type.Number({ minimum: 0, maximum: 100, default: MEMORY_DEFAULTS.swapMajorPercent, description: 'SWAP_HIGH (major) when this % of swap is in use' }),
    ),
    loadWindowMinutes: Type.Optional(
      Type.Union([Type.Literal(1), Type.Literal(5), Type.Literal(15)], { default: MEMORY_DEFAULTS.loadWindowMinutes, description: 'which load average (1, 5 or 15 minutes) is judged; all three are reported' }),
    ),
    loadMinorPerCore: Type.Optional(
      Type.Number({ minimum: 0.1, maximum: 100, default: MEMORY_DEFAULTS.loadMinorPerCore, description: 'LOAD_HIGH (minor) when the load average per CPU core reaches this' }),
    ),
    loadMajorPerCore: Type.Optional(
      Type.Number({ minimum: 0.1, maximum: 100, default: MEMORY_DEFAULTS.loadMajorPerCore, description: 'LOAD_HIGH (major) when the load average per CPU core reaches this' }),
    ),
  },
  { additionalProperties: false },
);

export type MemoryConfig = Static<typeof memorySchema>;
export type ResolvedMemoryConfig = { -readonly [K in keyof typeof MEMORY_DEFAULTS]: number };

/** Every setting filled, whether or not the config went through the schema's defaults. */
export function resolveMemoryConfig(c: MemoryConfig): ResolvedMemoryConfig {
  const out: ResolvedMemoryConfig = { ...MEMORY_DEFAULTS };
  for (const key of Object.keys(MEMORY_DEFAULTS) as (keyof ResolvedMemoryConfig)[]) {
    const v = (c as Record<string, unknown>)[key];
    if (typeof v === 'number') out[key] = v;
  }
  return out;
}
