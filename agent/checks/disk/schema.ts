import { Type, type Static } from '../../core/schema/type.js';

export const DISK_DEFAULTS = {
  minorPercent: 85,
  majorPercent: 90, // the maintenance contract's line: disk usage must stay below 90 %
  criticalPercent: 97,
  inodeMinorPercent: 85,
  inodeMajorPercent: 90,
  inodeCriticalPercent: 97,
} as const;

const percent = (def: number, description: string) =>
  Type.Optional(Type.Number({ minimum: 1, maximum: 100, default: def, description }));

export const MountSchema = Type.Object(
  {
    path: Type.String({
      minLength: 1,
      description: 'a mount point or any directory on the filesystem to watch, e.g. "/", "/data", "D:\\"',
    }),
    minorPercent: percent(DISK_DEFAULTS.minorPercent, 'space used (%) at which DISK_SPACE_LOW opens as minor'),
    majorPercent: percent(DISK_DEFAULTS.majorPercent, 'space used (%) at which DISK_SPACE_LOW is major'),
    criticalPercent: percent(DISK_DEFAULTS.criticalPercent, 'space used (%) at which DISK_SPACE_LOW is critical'),
    inodeMinorPercent: percent(DISK_DEFAULTS.inodeMinorPercent, 'inodes used (%) at which DISK_INODES_LOW opens as minor'),
    inodeMajorPercent: percent(DISK_DEFAULTS.inodeMajorPercent, 'inodes used (%) at which DISK_INODES_LOW is major'),
    inodeCriticalPercent: percent(DISK_DEFAULTS.inodeCriticalPercent, 'inodes used (%) at which DISK_INODES_LOW is critical'),
  },
  { additionalProperties: false },
);

export const diskSchema = Type.Object(
  {
    mounts: Type.Optional(
      Type.Array(MountSchema, {
        maxItems: 64,
        default: [],
        description: 'filesystems to watch; empty: the platform default ("/" on Linux, the system drive on Windows)',
      }),
    ),
  },
  { additionalProperties: false },
);

export type MountConfig = Static<typeof MountSchema>;
export type DiskConfig = Static<typeof diskSchema>;
export type ResolvedMount = Required<MountConfig>;

/** A mount entry with every threshold filled, whether or not the config went through the schema's defaults. */
export function resolveMount(m: MountConfig): ResolvedMount {
  return { ...DISK_DEFAULTS, ...stripUndefined(m) } as ResolvedMount;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
