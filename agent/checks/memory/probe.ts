import type { Probe, ProbeContext } from '../../core/checks/plugin.js';
import type { ProbeResult } from '../../core/checks/result.js';
import { SEVERITY_TEXT } from '../../core/severity.js';
import type { MemoryInfo } from '../../platform/types.js';
import { formatBytes, round } from '../shared/format.js';
import { stopwatch, throwIfAborted } from '../shared/result.js';
import { loadGrade, memoryGrade, swapGrade, validateMemoryConfig } from './levels.js';
import { resolveMemoryConfig, type MemoryConfig, type ResolvedMemoryConfig } from './schema.js';

export function createMemoryProbe(config: MemoryConfig, ctx: ProbeContext): Probe {
  const c = resolveMemoryConfig(config);
  validateMemoryConfig(c);
  return {
    async run(signal) {
      const done = stopwatch(ctx.now);
      const mem = await ctx.platform.memoryInfo();
      throwIfAborted(signal);
      const results: ProbeResult[] = [done(memoryResult(mem, c))];
      // No swap (or a backend that cannot tell, like Windows for now): nothing to judge.
      if (mem.swapTotalBytes > 0) results.push(done(swapResult(mem, c)));
      const load = ctx.platform.loadAverage();
      if (load) results.push(done(loadResult(load, ctx.platform.cpuCount(), c)));
      return results;
    },
  };
}

type Body = Parameters<ReturnType<typeof stopwatch>>[0];

function memoryResult(mem: MemoryInfo, c: ResolvedMemoryConfig): Body {
  const availablePercent = mem.totalBytes > 0 ? round((mem.availableBytes / mem.totalBytes) * 100) : 0;
  const evidence = { availablePercent, availableBytes: mem.availableBytes, totalBytes: mem.totalBytes };
  const level = memoryGrade(availablePercent, mem.availableBytes, c);
  const avail = formatBytes(mem.availableBytes);
  const total = formatBytes(mem.totalBytes);
  if (!level) {
    return {
      status: 'ok',
      reason: 'ok',
      subject: 'memory',
      evidence,
      message: { zh: `可用内存 ${avail}（共 ${total}，${availablePercent}%）`, en: `${avail} of ${total} memory available (${availablePercent}%)` },
    };
  }
  return {
    status: 'fail',
    reason: 'memory_low',
    subject: 'memory',
    evidence,
    message: {
      zh: `可用内存不足：仅剩 ${avail}（共 ${total}，${availablePercent}%），级别：${SEVERITY_TEXT[level].zh}`,
      en: `memory is low: only ${avail} of ${total} available (${availablePercent}%), ${level}`,
    },
  };
}

function swapResult(mem: MemoryInfo, c: ResolvedMemoryConfig): Body {
  const used = mem.swapTotalBytes - mem.swapFreeBytes;
  const swapUsedPercent = round((used / mem.swapTotalBytes) * 100);
  const evidence = { swapUsedPercent, swapUsedBytes: used, swapTotalBytes: mem.swapTotalBytes };
  const level = swapGrade(swapUsedPercent, c);
  const text = { zh: `交换空间已用 ${swapUsedPercent}%（${formatBytes(used)}）`, en: `${swapUsedPercent}% of swap in use (${formatBytes(used)})` };
  if (!level) return { status: 'ok', reason: 'ok', subject: 'swap', evidence, message: text };
  return {
    status: 'fail',
    reason: 'swap_high',
    subject: 'swap',
    evidence,
    message: { zh: `${text.zh}，内存紧张导致系统变慢`, en: `${text.en}: memory pressure slows the system down` },
  };
}

function loadResult(load: [number, number, number], cores: number, c: ResolvedMemoryConfig): Body {
  const n = Math.max(1, cores);
  const [l1, l5, l15] = load.map((l) => round(l / n, 2)) as [number, number, number];
  const judged = c.loadWindowMinutes === 1 ? l1 : c.loadWindowMinutes === 15 ? l15 : l5;
  const evidence = { load1PerCore: l1, load5PerCore: l5, load15PerCore: l15, cores: n, windowMinutes: c.loadWindowMinutes };
  const level = loadGrade(judged, c);
  const text = {
    zh: `每核 ${c.loadWindowMinutes} 分钟平均负载 ${judged}（${n} 核）`,
    en: `${c.loadWindowMinutes}-minute load average per core is ${judged} (${n} cores)`,
  };
  if (!level) return { status: 'ok', reason: 'ok', subject: 'load', evidence, message: text };
  return {
    status: 'fail',
    reason: 'load_high',
    subject: 'load',
    evidence,
    message: { zh: `系统负载过高：${text.zh}`, en: `system load is high: ${text.en}` },
  };
}
