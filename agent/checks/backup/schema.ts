import { Type, type Static } from '../../core/schema/type.js';

export const BACKUP_DEFAULTS = {
  pattern: '*',
  maxDepth: 3,
  maxAgeHours: 26,
  minBytes: 1,
  maxEntries: 20_000,
} as const;

export const backupSchema = Type.Object(
  {
    directory: Type.String({ minLength: 1, description: 'directory the backups are written to, e.g. "D:\\\\HISBackup" or "/data/backup"' }),
    pattern: Type.Optional(
      Type.String({ minLength: 1, default: BACKUP_DEFAULTS.pattern, description: 'glob of backup files relative to directory, forward slashes, e.g. "*.bak" or "**/*.dmp"' }),
    ),
    maxDepth: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 16, default: BACKUP_DEFAULTS.maxDepth, description: 'how many directory levels below directory "**" may descend' }),
    ),
    maxAgeHours: Type.Optional(
      Type.Number({ minimum: 1, maximum: 8784, default: BACKUP_DEFAULTS.maxAgeHours, description: 'BACKUP_STALE when the newest matching file is older than this; 26 h suits a daily backup' }),
    ),
    minBytes: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 1_099_511_627_776, default: BACKUP_DEFAULTS.minBytes, description: 'BACKUP_EMPTY when the newest matching file is smaller than this many bytes' }),
    ),
    maxEntries: Type.Optional(
      Type.Integer({ minimum: 100, maximum: 1_000_000, default: BACKUP_DEFAULTS.maxEntries, description: 'directory entries looked at per run at most, so a huge tree cannot stall the agent' }),
    ),
  },
  { additionalProperties: false },
);

export type BackupConfig = Static<typeof backupSchema>;
export type ResolvedBackupConfig = { directory: string; pattern: string; maxDepth: number; maxAgeHours: number; minBytes: number; maxEntries: number };

export function resolveBackupConfig(c: BackupConfig): ResolvedBackupConfig {
  return {
    directory: c.directory,
    pattern: c.pattern ?? BACKUP_DEFAULTS.pattern,
    maxDepth: c.maxDepth ?? BACKUP_DEFAULTS.maxDepth,
    maxAgeHours: c.maxAgeHours ?? BACKUP_DEFAULTS.maxAgeHours,
    minBytes: c.minBytes ?? BACKUP_DEFAULTS.minBytes,
    maxEntries: c.maxEntries ?? BACKUP_DEFAULTS.maxEntries,
  };
}
