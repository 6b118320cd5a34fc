import type { ProbeResult } from '../../core/checks/result.js';
import type { FaultDefinition, FaultSignal } from '../../core/faults/types.js';
import { loadGrade, memoryGrade, swapGrade } from './levels.js';
import { resolveMemoryConfig, type MemoryConfig } from './schema.js';

export const reasons = {
  memory_low: { zh: '可用内存低于警戒线', en: 'available memory is below a warning line' },
  swap_high: { zh: '交换空间（虚拟内存）使用率过高', en: 'swap usage is above a warning line' },
  load_high: { zh: '每核平均负载过高', en: 'load average per CPU core is above a warning line' },
} as const;

export const faults: FaultDefinition[] = [
  {
    code: 'MEMORY_LOW',
    severity: 'major',
    title: { zh: '可用内存不足', en: 'Low available memory' },
    causes: [
      { zh: '同时打开的程序或浏览器标签页过多', en: 'too many programs or browser tabs open at once' },
      { zh: '结算客户端、HIS 或其他程序内存泄漏，长时间运行后占用不断增加', en: 'the settlement client, HIS or another program leaks memory and grows the longer it runs' },
      { zh: '电脑内存配置偏小（如 4 GB 运行 Windows 10）', en: 'the PC has little memory for its workload (e.g. 4 GB running Windows 10)' },
      { zh: '病毒或挖矿程序占用资源', en: 'malware or a crypto-miner is using resources' },
    ],
    operator: {
      zh: '请在不办理业务时关闭不用的程序和浏览器窗口；如果结算软件明显变慢，可在空闲时段保存工作后重启电脑。若重启后很快再次出现，请联系维护热线。',
      en: 'When no one is being served, close programs and browser windows you do not need; if the settlement software is clearly slow, save your work and restart the PC at a quiet moment. If it comes back soon after a restart, call the maintenance hotline.',
    },
    engineer: {
      zh: '远程查看占用内存最多的进程（Windows: 任务管理器“详细信息”按内存排序；Linux: ps aux --sort=-rss | head）。若为结算客户端或 HIS 持续增长，记录版本和运行时长并反馈厂商，临时可安排每日定时重启；排查可疑进程并查杀病毒；长期偏小则建议客户加内存（至少 8 GB）。',
      en: 'Find the processes using the most memory remotely (Windows: Task Manager "Details" sorted by memory; Linux: ps aux --sort=-rss | head). If the settlement client or HIS keeps growing, note its version and uptime and report it to the vendor, with a scheduled daily restart as a stopgap; check suspicious processes and scan for malware; if the PC is simply too small, recommend a memory upgrade (at least 8 GB).',
    },
  },
  {
    code: 'SWAP_HIGH',
    severity: 'minor',
    title: { zh: '虚拟内存（交换空间）使用过多', en: 'Heavy swap usage' },
    causes: [
      { zh: '物理内存长期不足，系统把内存换到磁盘', en: 'physical memory has been short for a while and the system is paging to disk' },
      { zh: '某个程序占用大量内存后未释放', en: 'a program took a lot of memory and did not give it back' },
    ],
    operator: {
      zh: '电脑可能明显变慢。请在空闲时段保存工作后重启电脑；若问题反复出现，请联系维护热线。',
      en: 'The PC may be noticeably slow. Save your work and restart it at a quiet moment; if it keeps happening, call the maintenance hotline.',
    },
    engineer: {
      zh: '结合 MEMORY_LOW 一起分析：用 free -m、vmstat 1 5（si/so 列）确认是否在持续换页，找出占用内存的进程（ps aux --sort=-rss）。持续换页时处理占用内存的程序或建议加内存；仅有历史换出而当前不换页时影响不大，可在维护窗口重启释放。',
      en: 'Read together with MEMORY_LOW: check with free -m and vmstat 1 5 (si/so columns) whether paging is ongoing, and find the memory users (ps aux --sort=-rss). If it pages continuously, deal with the program or recommend more memory; swap left over from earlier with no current paging matters little and a restart in a maintenance window frees it.',
    },
  },
  {
    code: 'LOAD_HIGH',
    severity: 'minor',
    title: { zh: '系统负载过高', en: 'High system load' },
    causes: [
      { zh: '某个程序长时间占满 CPU（卡死、死循环）', en: 'a program is hogging the CPU (hung or spinning)' },
      { zh: '磁盘读写缓慢或故障，进程大量等待 I/O（Linux 负载包含等待磁盘的进程）', en: 'slow or failing disk: processes wait for I/O (Linux load counts processes waiting for the disk)' },
      { zh: '杀毒软件全盘扫描、系统更新或备份任务在营业时间运行', en: 'an antivirus full scan, system update or backup job running during business hours' },
    ],
    operator: {
      zh: '如果结算软件响应很慢，请先完成当前业务，再联系维护热线；不要反复点击或强行关机。',
      en: 'If the settlement software is very slow, finish the current transaction first and then call the maintenance hotline; do not keep clicking or force the PC off.',
    },
    engineer: {
      zh: '用 top / htop 查看 CPU 占用和 wa（I/O 等待）。CPU 高：定位进程，必要时在业务空闲时重启该程序；I/O 等待高：检查磁盘健康（smartctl -a、dmesg）和正在运行的备份或扫描任务，把它们调整到非营业时间。',
      en: 'Check CPU use and wa (I/O wait) with top / htop. High CPU: find the process and restart it when the counter is idle if needed. High I/O wait: check disk health (smartctl -a, dmesg) and any running backup or scan jobs, and move them outside business hours.',
    },
  },
];

/** Fault rules: each fault's grade follows the worst configured line crossed. */
export function rules(result: ProbeResult, config: MemoryConfig): FaultSignal | null {
  const c = resolveMemoryConfig(config);
  const e = result.evidence;
  switch (result.reason) {
    case 'memory_low':
      return { code: 'MEMORY_LOW', severity: memoryGrade(Number(e.availablePercent), Number(e.availableBytes), c) ?? 'minor' };
    case 'swap_high':
      return { code: 'SWAP_HIGH', severity: swapGrade(Number(e.swapUsedPercent), c) ?? 'minor' };
    case 'load_high': {
      const window = Number(e.windowMinutes);
      const perCore = Number(window === 1 ? e.load1PerCore : window === 15 ? e.load15PerCore : e.load5PerCore);
      return { code: 'LOAD_HIGH', severity: loadGrade(perCore, c) ?? 'minor' };
    }
    default:
      return null;
  }
}
