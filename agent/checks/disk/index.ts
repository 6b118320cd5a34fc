import type { CheckPlugin, ConfigProfile } from '../../core/checks/plugin.js';
import { faults, reasons, rules } from './faults.js';
import { createDiskProbe } from './probe.js';
import { validateMounts } from './levels.js';
import { diskSchema, DISK_DEFAULTS, resolveMount, type DiskConfig } from './schema.js';

/** Disk space and inode usage per filesystem: the monthly inspection's "disk < 90 %". */
export const plugin: CheckPlugin<DiskConfig> = {
  type: 'disk',
  moduleUrl: import.meta.url,
  title: { zh: '磁盘空间', en: 'Disk space' },
  configSchema: diskSchema,
  // Disks fill slowly: every 5 minutes is plenty; two runs in a row avoid a fault for a short-lived temp file.
  defaults: { intervalSeconds: 300, timeoutSeconds: 30, raiseAfter: 2, clearAfter: 2 },
  reasons,
  faults,
  rules,
  example(profile: ConfigProfile) {
    const all = { ...DISK_DEFAULTS };
    const mounts =
      profile === 'terminal'
        ? [{ path: '/', ...all }, { path: '/data', ...all, minorPercent: 80 }]
        : [{ path: '/', ...all }, { path: '/var/lib/gdca', ...all }];
    return { disk: { type: 'disk', mounts } };
  },
  createProbe: createDiskProbe,
  // Thresholds out of order are a config error, named by mount index, before the agent starts.
  validate: (config) =>
    (config.mounts ?? []).flatMap((m, i) => {
      try {
        validateMounts([resolveMount(m)]);
        return [];
      } catch (err) {
        return [{ path: `/mounts/${i}`, message: (err as Error).message.replace(/^disk: mounts\[0\] /, '') }];
      }
    }),
};
