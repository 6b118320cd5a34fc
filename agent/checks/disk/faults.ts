import type { ProbeResult } from '../../core/checks/result.js';
import type { FaultDefinition, FaultSignal } from '../../core/faults/types.js';
import { gradeAbove } from '../shared/thresholds.js';
import { spaceThresholds, inodeThresholds, mountConfigFor } from './levels.js';
import type { DiskConfig } from './schema.js';

export const reasons = {
  space_low: { zh: '磁盘空间使用率超过警戒线', en: 'disk space usage is above a warning line' },
  inodes_low: { zh: '文件索引节点（inode）使用率超过警戒线', en: 'inode usage is above a warning line' },
  mount_unavailable: { zh: '磁盘或挂载点不存在或无法读取', en: 'the disk or mount point is missing or cannot be read' },
} as const;

export type DiskReason = keyof typeof reasons;

export const faults: FaultDefinition[] = [
  {
    code: 'DISK_SPACE_LOW',
    severity: 'major',
    title: { zh: '磁盘空间不足', en: 'Low disk space' },
    causes: [
      { zh: '结算客户端或 HIS 日志长期累积，未清理', en: 'settlement client or HIS logs have piled up and were never cleaned' },
      { zh: '数据库或本地备份文件过多、未轮换', en: 'too many database or local backup files, no rotation' },
      { zh: '下载目录、回收站、临时文件占用大量空间', en: 'downloads, recycle bin or temporary files take a lot of space' },
      { zh: '系统更新缓存或补丁包未清理', en: 'system update caches or patch packages were left behind' },
    ],
    operator: {
      zh: '请先不要删除结算软件目录和数据库文件。可清空回收站、删除桌面和下载目录中不需要的个人文件，然后联系维护热线，由工程师远程清理日志和备份。磁盘写满会导致结算失败，请尽快处理。',
      en: 'Do not delete anything in the settlement software or database folders. You may empty the recycle bin and remove personal files you no longer need from the desktop and downloads, then call the maintenance hotline so an engineer can clean up logs and backups remotely. A full disk makes settlements fail, so act soon.',
    },
    engineer: {
      zh: '远程查看占用最大的目录（Linux: du -xh --max-depth=2 挂载点 | sort -h；Windows: 资源管理器按大小排序或 TreeSize）。优先压缩或迁移 30 天以前的应用日志和旧备份（先确认异地备份已存在），清理系统临时目录和更新缓存。处理后确认使用率低于 85%，并为日志和备份配置轮换，避免再次发生；若空间本身过小，建议客户扩容。',
      en: 'Find the largest directories remotely (Linux: du -xh --max-depth=2 <mount> | sort -h; Windows: sort by size in Explorer or use TreeSize). First compress or move application logs and backups older than 30 days (confirm an off-site copy exists first), and clear system temp folders and update caches. Confirm usage is below 85 % afterwards and set up log and backup rotation so it does not recur; if the disk is simply too small, recommend an upgrade to the customer.',
    },
  },
  {
    code: 'DISK_INODES_LOW',
    severity: 'major',
    title: { zh: '磁盘文件数量（inode）接近上限', en: 'Filesystem running out of inodes' },
    causes: [
      { zh: '程序产生大量小文件（缓存、会话文件、单笔交易日志）且不清理', en: 'a program creates many small files (caches, session files, per-transaction logs) and never removes them' },
      { zh: '邮件队列或临时目录堆积', en: 'a mail queue or temp directory has piled up' },
    ],
    operator: {
      zh: '此问题需要工程师处理，请联系维护热线，不要自行删除系统或结算软件中的文件。',
      en: 'This needs an engineer: call the maintenance hotline and do not delete system or settlement software files yourself.',
    },
    engineer: {
      zh: '用 df -i 确认，再用 find 挂载点 -xdev -type f | cut -d/ -f1-4 | sort | uniq -c | sort -n 找出文件数最多的目录。清理或归档其中的小文件（先确认所属程序和保留要求），并修复产生它们的程序配置（如缓存清理、日志合并）。',
      en: 'Confirm with df -i, then find the directory with the most files: find <mount> -xdev -type f | cut -d/ -f1-4 | sort | uniq -c | sort -n. Clean up or archive the small files (check which program owns them and any retention rules first) and fix the program that creates them (cache cleanup, log consolidation).',
    },
  },
  {
    code: 'DISK_UNAVAILABLE',
    severity: 'major',
    title: { zh: '磁盘或挂载点不可用', en: 'Disk or mount point unavailable' },
    causes: [
      { zh: '移动硬盘或 U 盘已拔出，或盘符发生变化', en: 'an external disk or USB drive was unplugged, or its drive letter changed' },
      { zh: '网络共享盘或 NFS 挂载断开', en: 'a network share or NFS mount is disconnected' },
      { zh: '磁盘故障或文件系统损坏', en: 'disk failure or a damaged filesystem' },
      { zh: '配置中的路径写错', en: 'the path in the configuration is wrong' },
    ],
    operator: {
      zh: '请检查备份用的移动硬盘或 U 盘是否插好、电源灯是否亮起；如使用网络共享盘，请确认网络正常。处理后仍提示此问题，请联系维护热线。',
      en: 'Check that the external backup disk or USB drive is plugged in and its light is on; if a network share is used, check the network. If the problem remains, call the maintenance hotline.',
    },
    engineer: {
      zh: '确认路径是否存在及权限（Linux: ls -ld、mount、dmesg | tail 查看磁盘错误；Windows: 磁盘管理中查看盘符和状态、事件查看器中的磁盘错误）。路径配置错误时修改 guardpost 配置；硬件故障时安排更换并确认备份完整。',
      en: 'Check that the path exists and is readable (Linux: ls -ld, mount, dmesg | tail for disk errors; Windows: drive letters and status in Disk Management, disk errors in Event Viewer). Fix the Guardpost config if the path is wrong; if the hardware is failing, arrange a replacement and verify the backups are complete.',
    },
  },
];

/** Fault rules: the severity of DISK_SPACE_LOW and DISK_INODES_LOW follows the highest line crossed. */
export function rules(result: ProbeResult, config: DiskConfig): FaultSignal | null {
  const reason = result.reason as DiskReason;
  if (reason === 'mount_unavailable') return { code: 'DISK_UNAVAILABLE', severity: 'major' };
  const mount = mountConfigFor(config, result.labels?.path ?? result.subject);
  if (reason === 'space_low') {
    const used = Number(result.evidence.usedPercent);
    return { code: 'DISK_SPACE_LOW', severity: gradeAbove(used, spaceThresholds(mount)) ?? 'minor' };
  }
  if (reason === 'inodes_low') {
    const used = Number(result.evidence.inodesUsedPercent);
    return { code: 'DISK_INODES_LOW', severity: gradeAbove(used, inodeThresholds(mount)) ?? 'minor' };
  }
  return null;
}
