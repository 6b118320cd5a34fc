import type { ProbeResult } from '../../core/checks/result.js';
import { CLOCK_SKEW_REASON, clockSkewRule } from '../../core/faults/clock-skew.js';
import type { FaultDefinition, FaultSignal } from '../../core/faults/types.js';

export const reasons = {
  clock_jumped: { zh: '系统时间发生跳变', en: 'the system clock jumped' },
  ...CLOCK_SKEW_REASON,
} as const;

export const faults: FaultDefinition[] = [
  {
    code: 'CLOCK_JUMPED',
    severity: 'major',
    title: { zh: '系统时间被修改或跳变', en: 'System clock jumped' },
    causes: [
      { zh: '有人手动修改了电脑的日期或时间', en: 'someone changed the date or time on the PC by hand' },
      { zh: '时间同步（NTP/Windows 时间服务）把偏差很大的时钟一次性校正', en: 'time sync (NTP / Windows Time) corrected a clock that was far off in one step' },
      { zh: '主板纽扣电池没电，开机后时间错误再被同步', en: 'a flat CMOS battery: the time is wrong after power-on and is then synced' },
      { zh: '电脑从睡眠或休眠中恢复（会表现为向前跳变）', en: 'the PC resumed from sleep or hibernation (shows as a forward jump)' },
    ],
    operator: {
      zh: '请不要自行修改电脑的日期和时间（医保规定严禁私自更改系统日期），时间错误会导致证书校验和结算失败。请核对电脑右下角的时间是否正确，并联系维护热线。',
      en: 'Do not change the PC\'s date and time yourself (the insurance rules forbid changing the system date); a wrong time makes certificate checks and settlements fail. Check whether the time in the corner of the screen is correct and call the maintenance hotline.',
    },
    engineer: {
      zh: '查看证据中的跳变方向、幅度和前后时间，核对当前时间是否正确。查明原因：Windows 事件查看器“系统”日志中的事件 ID 1（Kernel-General，时间更改）及操作账户、w32tm /query /status；Linux 查看 journalctl 与 timedatectl、chronyc tracking。向后跳变可能造成交易时间异常，需提醒客户核对跳变期间的结算记录。配置可靠的内网时间源；若反复在开机后出现，检查主板电池。本监控程序不会修改系统时间。',
      en: 'Read the jump\'s direction, size and the times before and after in the evidence, and check the current time is right. Find the cause: Windows Event Viewer System log event ID 1 (Kernel-General, time change) and its account, w32tm /query /status; on Linux journalctl, timedatectl and chronyc tracking. A backward jump can give transactions wrong times: ask the customer to check settlements made around the jump. Set up a reliable intranet time source; if it happens after every power-on, check the CMOS battery. Guardpost never changes the system clock.',
    },
  },
  {
    code: 'CLOCK_SKEW',
    severity: 'major',
    title: { zh: '本机时间不准', en: 'Local clock is off' },
    causes: [
      { zh: '终端未配置时间同步，或时间源不可达（医保专网常无法访问公网时间服务器）', en: 'no time sync is set up on the terminal, or its time source is unreachable (the insurance network often cannot reach public time servers)' },
      { zh: '有人手动改过时间', en: 'someone changed the time by hand' },
      { zh: '主板电池没电', en: 'a flat CMOS battery' },
    ],
    operator: {
      zh: '时间偏差会导致证书校验和签名报文失败。请不要自行修改时间，请联系维护热线。',
      en: 'A wrong clock makes certificate checks and signed messages fail. Do not change the time yourself; call the maintenance hotline.',
    },
    engineer: {
      zh: '证据中有偏差秒数和参考来源（医保平台 HTTP Date 或服务台时间）。超过 60 秒为一般，超过 5 分钟为严重。按当地规定配置内网 NTP 时间源，核对时区；本监控程序只报告、从不修改系统时间。',
      en: 'The evidence gives the skew in seconds and the reference (the platform\'s HTTP Date header or the desk\'s time). Over 60 s is major, over 5 minutes critical. Configure an intranet NTP source as local rules allow and check the time zone; Guardpost only reports and never changes the clock.',
    },
  },
];

/** Fault rules: any jump is major (its size is in the evidence); a skew graded as every reporter grades it. */
export function rules(result: ProbeResult): FaultSignal | null {
  if (result.reason === 'clock_jumped') return { code: 'CLOCK_JUMPED', severity: 'major' };
  return clockSkewRule(result);
}
