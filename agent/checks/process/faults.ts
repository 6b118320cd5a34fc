import type { ProbeResult } from '../../core/checks/result.js';
import type { FaultDefinition, FaultSignal } from '../../core/faults/types.js';
import { PROCESS_DEFAULTS, resolveProcess, type ProcessConfig } from './schema.js';

export const reasons = {
  process_missing: { zh: '进程未运行', en: 'the process is not running' },
  too_few_instances: { zh: '运行中的进程数少于要求', en: 'fewer instances are running than required' },
  command_line_unavailable: { zh: '本系统无法读取进程命令行，不能按命令行匹配', en: 'process command lines are not available here, so matching by command line is impossible' },
} as const;

export const faults: FaultDefinition[] = [
  {
    code: 'PROCESS_MISSING',
    severity: PROCESS_DEFAULTS.severity,
    title: { zh: '关键程序未运行', en: 'Required program not running' },
    causes: [
      { zh: '程序被关闭（误关、下班后未重新打开）', en: 'the program was closed (by mistake, or not reopened after closing time)' },
      { zh: '程序崩溃退出或启动失败', en: 'the program crashed or failed to start' },
      { zh: '电脑重启后程序未设置开机自启动', en: 'the PC restarted and the program does not start automatically' },
      { zh: '杀毒软件拦截或隔离了程序文件', en: 'antivirus software blocked or quarantined the program' },
    ],
    operator: {
      zh: '请从桌面或开始菜单重新打开该程序（如医保结算客户端），确认能正常登录和结算。如果打不开或很快又自动关闭，请记下屏幕上的提示（可拍照）并联系维护热线。',
      en: 'Reopen the program (for example the settlement client) from the desktop or Start menu and check that you can log in and settle. If it does not open or closes again soon, note the message on screen (a photo helps) and call the maintenance hotline.',
    },
    engineer: {
      zh: '确认进程是否在运行（Windows: tasklist | findstr 名称；Linux: pgrep -a 名称），查看程序自身日志、Windows 事件查看器“应用程序”日志（应用程序错误，事件 ID 1000）或 journalctl 中的崩溃记录。检查开机自启动或服务配置、杀毒软件隔离区；反复崩溃时收集日志和版本信息反馈厂商。若程序改名或升级后进程名变化，更新本检查的 processes 配置。',
      en: 'Check whether the process runs (Windows: tasklist | findstr <name>; Linux: pgrep -a <name>), and read the program\'s own log, the Windows Event Viewer Application log (Application Error, event ID 1000) or journalctl for crashes. Check the autostart or service setup and the antivirus quarantine; if it keeps crashing, collect logs and version details for the vendor. If an upgrade renamed the process, update this check\'s processes config.',
    },
  },
  {
    code: 'PROCESS_MATCH_UNSUPPORTED',
    severity: 'minor',
    title: { zh: '进程检查配置在本系统上无法执行', en: 'Process check cannot run as configured on this system' },
    causes: [
      { zh: '配置要求按命令行匹配进程，但本系统的后端读取不到命令行（当前 Windows 版本仅能读取进程名）', en: 'the config matches by command line, but this system\'s backend cannot read command lines (the current Windows backend sees names only)' },
    ],
    operator: {
      zh: '此问题不影响结算业务，您无需操作，工程师会远程调整监控配置。在此期间如发现结算软件关闭或异常，请照常联系维护热线。',
      en: 'This does not affect settlement and needs nothing from you; an engineer will adjust the monitoring configuration remotely. Until then, if the settlement software closes or misbehaves, call the maintenance hotline as usual.',
    },
    engineer: {
      zh: '把该进程的 match 改为 "name" 并填写可执行文件名（如 "SettlementClient.exe"）。在修正前，该进程是否运行未被监控。',
      en: 'Change this process\'s match to "name" and give the executable name (e.g. "SettlementClient.exe"). Until then, whether this process runs is not being watched.',
    },
  },
];

/** Fault rules: PROCESS_MISSING takes the severity configured for that process. */
export function rules(result: ProbeResult, config: ProcessConfig): FaultSignal | null {
  switch (result.reason) {
    case 'process_missing':
    case 'too_few_instances': {
      const entry = config.processes.find((p) => p.name === result.subject);
      return { code: 'PROCESS_MISSING', severity: entry ? resolveProcess(entry).severity : PROCESS_DEFAULTS.severity };
    }
    case 'command_line_unavailable':
      return { code: 'PROCESS_MATCH_UNSUPPORTED', severity: 'minor' };
    default:
      return null;
  }
}
