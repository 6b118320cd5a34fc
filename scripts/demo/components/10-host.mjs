// Demo part: a backup folder with a fresh backup and a settlement-client log, so the host checks have real things
// to watch. Delete the .bak file, or append "ERROR" lines to the log, and watch the faults appear.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export async function setup({ dir }) {
  const backups = join(dir, 'backups');
  mkdirSync(backups, { recursive: true });
  writeFileSync(join(backups, `his-${new Date().toISOString().slice(0, 10)}.bak`), 'demo backup\n');
  const log = join(dir, 'settlement-client.log');
  writeFileSync(log, `${new Date().toISOString()} INFO settlement client started\n`, { flag: 'a' });
  return {
    checks: {
      backup: { directory: backups, pattern: '*.bak', intervalSeconds: 30, raiseAfter: 1, clearAfter: 1 },
      logs: { paths: [log], patterns: ['ERROR', '交易失败'], intervalSeconds: 15, clearAfter: 2 },
    },
    notes: [`backups in ${backups} (delete the .bak file to see BACKUP_MISSING)`, `echo "ERROR 交易失败" >> ${log} to see LOG_ERRORS`],
  };
}
