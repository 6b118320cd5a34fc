import type { ProbeResult } from '../../core/checks/result.js';
import type { FaultDefinition, FaultSignal } from '../../core/faults/types.js';
import { resolveLogsConfig, type LogsConfig } from './schema.js';

export const reasons = {
  errors_found: { zh: '日志中出现错误记录', en: 'error lines were found in the log' },
  file_unreadable: { zh: '日志文件或目录无法读取', en: 'the log file or its directory cannot be read' },
} as const;

export const faults: FaultDefinition[] = [
  {
    code: 'LOG_ERRORS',
    severity: 'minor',
    title: { zh: '应用日志出现错误', en: 'Errors in application log' },
    causes: [
      { zh: '医保平台接口调用失败（网络中断、平台维护、签到过期）', en: 'calls to the settlement platform fail (network down, platform maintenance, sign-in expired)' },
      { zh: '读卡器、USBKey 等外设通讯失败', en: 'communication with the card reader, USB key or other devices fails' },
      { zh: '数据库连接失败或本地数据异常', en: 'database connection failures or bad local data' },
      { zh: '程序缺陷或升级后配置不匹配', en: 'a software bug, or configuration that no longer fits after an upgrade' },
    ],
    operator: {
      zh: '如果结算、读卡等业务正常，可继续营业，工程师会远程查看日志；如果业务已受影响，请记下出错时间和界面提示（可拍照），联系维护热线。',
      en: 'If settlement and card reading work normally, carry on: an engineer will review the log remotely. If business is affected, note the time and the message on screen (a photo helps) and call the maintenance hotline.',
    },
    engineer: {
      zh: '查看故障证据中的首条错误行和所在文件，远程打开日志查看前后上下文和出现频率。按错误类型处理：接口错误先确认网络和平台公告，外设错误结合读卡器/USBKey 检查结果，数据库错误检查服务状态。误报的模式请调整本检查的 patterns。',
      en: 'Read the first error line and its file in the fault evidence, then open the log remotely for context and frequency. Act on the type: for interface errors check the network and platform notices first; for device errors look at the reader / USB key checks; for database errors check the service. If a pattern gives false alarms, adjust this check\'s patterns.',
    },
  },
  {
    code: 'LOG_UNREADABLE',
    severity: 'minor',
    title: { zh: '无法读取应用日志', en: 'Application log unreadable' },
    causes: [
      { zh: '日志文件或目录权限不允许监控程序读取', en: 'file or directory permissions do not let the agent read the log' },
      { zh: '日志路径被配置成目录或设备', en: 'the configured log path is a directory or a device' },
      { zh: '磁盘故障', en: 'disk failure' },
    ],
    operator: {
      zh: '此问题不影响业务，请联系维护热线由工程师处理。',
      en: 'This does not affect business; call the maintenance hotline to have an engineer fix it.',
    },
    engineer: {
      zh: '按证据中的错误码处理：EACCES/EPERM 时为监控服务账户授予该目录的只读权限（Linux: setfacl -m u:guardpost:rx；Windows: 文件夹属性→安全），不要放宽到所有人可写；EISDIR 时修正配置中的路径；EIO 时检查磁盘。',
      en: 'Act on the error code in the evidence: for EACCES/EPERM give the agent\'s service account read-only access to the directory (Linux: setfacl -m u:guardpost:rx; Windows: folder Properties → Security), never world-writable; for EISDIR fix the path in the config; for EIO check the disk.',
    },
  },
];

/** Fault rules: LOG_ERRORS is minor from minorCount matching lines per scan and major from majorCount. */
export function rules(result: ProbeResult, config: LogsConfig): FaultSignal | null {
  if (result.reason === 'file_unreadable') return { code: 'LOG_UNREADABLE', severity: 'minor' };
  if (result.reason !== 'errors_found') return null;
  const c = resolveLogsConfig(config);
  return { code: 'LOG_ERRORS', severity: Number(result.evidence.matches) >= c.majorCount ? 'major' : 'minor' };
}
