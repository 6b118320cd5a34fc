import type { ProbeResult } from '../../core/checks/result.js';
import type { FaultDefinition, FaultSignal, InhibitRule } from '../../core/faults/types.js';

export const reasons = {
  directory_missing: { zh: '备份目录不存在或无法读取', en: 'the backup directory is missing or cannot be read' },
  no_match: { zh: '备份目录中没有匹配的备份文件', en: 'no file in the backup directory matches the pattern' },
  stale: { zh: '最新备份超过规定时间未更新', en: 'the newest backup is older than allowed' },
  empty: { zh: '最新备份文件为空或过小', en: 'the newest backup file is empty or too small' },
} as const;

const CODES = ['BACKUP_MISSING', 'BACKUP_STALE', 'BACKUP_EMPTY'];

export const faults: FaultDefinition[] = [
  {
    code: 'BACKUP_MISSING',
    severity: 'critical',
    title: { zh: '找不到备份', en: 'Backup missing' },
    causes: [
      { zh: '备份任务从未配置或已被停用、删除', en: 'the backup job was never set up, or was disabled or deleted' },
      { zh: '备份目标盘（移动硬盘、网络共享盘）未连接或盘符变化', en: 'the backup target (external disk, network share) is not connected or its drive letter changed' },
      { zh: '备份文件被人为删除或被清理脚本误删', en: 'backup files were deleted by hand or by a cleanup script' },
      { zh: '配置中的备份目录或文件名规则写错', en: 'the backup directory or file pattern in the configuration is wrong' },
    ],
    operator: {
      zh: '请检查备份用的移动硬盘或 U 盘是否插好，不要删除备份文件夹中的任何文件，并尽快联系维护热线。没有备份时一旦电脑故障，结算数据可能无法恢复。',
      en: 'Check that the external backup disk or USB drive is plugged in, do not delete anything in the backup folder, and call the maintenance hotline soon. Without a backup, settlement data may be lost for good if the PC fails.',
    },
    engineer: {
      zh: '确认备份任务（Windows 任务计划程序 / crontab / 数据库自带作业）是否存在并启用，查看最近一次执行记录和错误；确认目标盘已挂载且有写权限。当天立即手动执行一次完整备份并校验可恢复，再修复计划任务；若是配置路径错误，修改 guardpost 配置。',
      en: 'Check that the backup job (Windows Task Scheduler / crontab / the database\'s own job) exists and is enabled, and read its last run and errors; check the target disk is mounted and writable. Run a full backup by hand today and verify it restores, then fix the schedule; if the configured path is wrong, fix the Guardpost config.',
    },
  },
  {
    code: 'BACKUP_STALE',
    severity: 'major',
    title: { zh: '备份未按时更新', en: 'Backup out of date' },
    causes: [
      { zh: '备份任务执行失败（磁盘满、权限、数据库连接失败）', en: 'the backup job failed (disk full, permissions, database connection)' },
      { zh: '备份时间点电脑已关机或处于睡眠状态', en: 'the PC was off or asleep at the scheduled backup time' },
      { zh: '计划任务被修改或账户密码变更导致任务无法运行', en: 'the scheduled task was changed, or a password change stops it from running' },
    ],
    operator: {
      zh: '请保持电脑在备份时间段开机（不要关机或睡眠），并联系维护热线检查备份任务。',
      en: 'Keep the PC switched on (not off or asleep) during the backup window, and call the maintenance hotline to have the backup job checked.',
    },
    engineer: {
      zh: '查看备份任务最近的执行结果和日志，确认上次成功时间；检查目标盘空间（是否同时有 DISK_SPACE_LOW）、权限和运行账户。修复后手动补做一次备份，确认新文件生成且大小正常；如电脑夜间关机，把备份时间调整到营业时间内的空闲时段。',
      en: 'Read the backup job\'s recent results and logs and find the last successful run; check the target disk\'s space (is DISK_SPACE_LOW also open?), permissions and the account it runs as. After fixing, run a backup by hand and confirm a new file of normal size appears; if the PC is switched off at night, move the job to a quiet time during opening hours.',
    },
  },
  {
    code: 'BACKUP_EMPTY',
    severity: 'major',
    title: { zh: '备份文件为空', en: 'Backup file empty' },
    causes: [
      { zh: '备份过程中出错（数据库连接失败、磁盘写满），只留下空文件', en: 'the backup failed midway (database connection, disk full) and left an empty file' },
      { zh: '备份仍在进行中，文件尚未写完', en: 'a backup is still running and the file is not written yet' },
    ],
    operator: {
      zh: '请不要删除该备份文件，联系维护热线检查备份任务。',
      en: 'Do not delete the backup file; call the maintenance hotline to have the backup job checked.',
    },
    engineer: {
      zh: '查看备份任务日志中的错误，确认数据库服务可连接、目标盘有足够空间；手动执行一次备份并确认文件大小与以往相近、可以恢复。若备份本身耗时较长，应调整备份计划，使其在本检查运行前完成。',
      en: 'Read the errors in the backup job\'s log, check the database is reachable and the target disk has room; run a backup by hand and confirm the file is about as large as earlier ones and restores. If backups simply take long, schedule them so they finish well before this check looks.',
    },
  },
];

/** Fault rules: a missing backup is the worst case; stale and empty are major. */
export function rules(result: ProbeResult): FaultSignal | null {
  switch (result.reason) {
    case 'directory_missing':
    case 'no_match':
      return { code: 'BACKUP_MISSING', severity: 'critical' };
    case 'stale':
      return { code: 'BACKUP_STALE', severity: 'major' };
    case 'empty':
      return { code: 'BACKUP_EMPTY', severity: 'major' };
    default:
      return null;
  }
}

/** A full or missing disk explains backup faults on it: the disk fault is the one to act on. */
export const inhibitRules: InhibitRule[] = [
  { source: ['DISK_SPACE_LOW', 'DISK_UNAVAILABLE'], target: CODES, equal: ['mount'] },
];
