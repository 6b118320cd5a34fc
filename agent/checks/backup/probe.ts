import path from 'node:path';
import type { Probe, ProbeContext } from '../../core/checks/plugin.js';
import { findFiles, type FoundFile } from '../shared/find-files.js';
import { formatBytes, round } from '../shared/format.js';
import { mountPointOf } from '../shared/mount-point.js';
import { errorCode, stopwatch } from '../shared/result.js';
import { resolveBackupConfig, type BackupConfig } from './schema.js';

const HOUR_MS = 3_600_000;

export function createBackupProbe(config: BackupConfig, ctx: ProbeContext): Probe {
  const c = resolveBackupConfig(config);
  const directory = path.resolve(c.directory);
  const subject = path.join(directory, c.pattern);
  return {
    async run(signal) {
      const done = stopwatch(ctx.now);
      const labels = { mount: await mountPointOf(directory), directory };
      let found;
      try {
        found = await findFiles(directory, c.pattern, { maxDepth: c.maxDepth, maxEntries: c.maxEntries, signal });
      } catch (err) {
        if (signal.aborted) throw err;
        const code = errorCode(err);
        return [
          done({
            status: 'fail',
            reason: 'directory_missing',
            subject,
            labels,
            evidence: { matches: 0, error: code },
            message: {
              zh: `备份目录 ${directory} 不存在或无法读取（${code}）`,
              en: `backup directory ${directory} is missing or cannot be read (${code})`,
            },
          }),
        ];
      }
      const newest = newestOf(found.files);
      if (!newest) {
        return [
          done({
            status: 'fail',
            reason: 'no_match',
            subject,
            labels,
            evidence: { matches: 0, truncated: found.truncated },
            message: {
              zh: `备份目录 ${directory} 中没有符合 ${c.pattern} 的备份文件`,
              en: `no backup file matching ${c.pattern} in ${directory}`,
            },
          }),
        ];
      }
      const ageHours = round((ctx.now().getTime() - newest.mtimeMs) / HOUR_MS, 2);
      const evidence = {
        newestAgeHours: ageHours,
        newestSizeBytes: newest.size,
        matches: found.files.length,
        newestFile: newest.relative,
        truncated: found.truncated,
      };
      const described = { zh: `最新备份 ${newest.relative}（${ageHours} 小时前，${formatBytes(newest.size)}）`, en: `newest backup ${newest.relative} (${ageHours} h old, ${formatBytes(newest.size)})` };
      if (ageHours > c.maxAgeHours) {
        return [
          done({
            status: 'fail',
            reason: 'stale',
            subject,
            labels,
            evidence,
            message: { zh: `备份已过期：${described.zh}，超过 ${c.maxAgeHours} 小时`, en: `backup is stale: ${described.en}, older than ${c.maxAgeHours} h` },
          }),
        ];
      }
      if (newest.size < c.minBytes) {
        return [
          done({
            status: 'fail',
            reason: 'empty',
            subject,
            labels,
            evidence,
            message: { zh: `备份文件为空或过小：${described.zh}，小于 ${c.minBytes} 字节`, en: `backup is empty or too small: ${described.en}, under ${c.minBytes} bytes` },
          }),
        ];
      }
      return [done({ status: 'ok', reason: 'ok', subject, labels, evidence, message: { zh: `备份正常：${described.zh}`, en: `backup ok: ${described.en}` } })];
    },
  };
}

/** The most recently modified file; ties go to the larger file so a finished copy wins over a placeholder. */
function newestOf(files: FoundFile[]): FoundFile | undefined {
  let best: FoundFile | undefined;
  for (const f of files) {
    if (!best || f.mtimeMs > best.mtimeMs || (f.mtimeMs === best.mtimeMs && f.size > best.size)) best = f;
  }
  return best;
}
