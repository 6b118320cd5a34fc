import type { CheckPlugin } from '../../core/checks/plugin.js';
import { faults, inhibitRules, reasons, rules } from './faults.js';
import { createBackupProbe } from './probe.js';
import { backupSchema, BACKUP_DEFAULTS, type BackupConfig } from './schema.js';

/** The newest backup file exists, is recent and is not empty: the monthly inspection's "backups". */
export const plugin: CheckPlugin<BackupConfig> = {
  type: 'backup',
  moduleUrl: import.meta.url,
  title: { zh: '数据备份', en: 'Backups' },
  configSchema: backupSchema,
  // Backups are daily: looking every 30 minutes is enough, and a missing backup is a fact, not a blip.
  defaults: { intervalSeconds: 1800, timeoutSeconds: 60, raiseAfter: 1, clearAfter: 1 },
  reasons,
  faults,
  rules,
  inhibitRules,
  example(profile): Record<string, BackupConfig & { type?: string }> {
    return profile === 'certserver'
      ? { 'backup-keystore': { type: 'backup', ...BACKUP_DEFAULTS, directory: '/var/backups/gdca', pattern: '**/*.tar.gz', maxAgeHours: 170 } }
      : { 'backup-his': { type: 'backup', ...BACKUP_DEFAULTS, directory: 'D:\\HISBackup', pattern: '*.bak' } };
  },
  createProbe: createBackupProbe,
};
