/**
 * Small helpers shared by the benches written after scheduler/store.bench.ts (those keep their own inline copies).
 * A summary row is what scripts/bench.mjs prints in its final table; a verdict only where a target exists.
 */
import { readFileSync } from 'node:fs';

export interface SummaryRow {
  figure: string;
  value: number;
  unit: string;
  baseline?: number;
  ratio?: number;
  target?: string;
  verdict?: 'PASS' | 'MISS';
}

export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

export const median = (samples: number[]): number => percentile(samples, 50);

export const round = (x: number, digits = 2): number => Number(x.toFixed(digits));

/** User + system CPU time since `start`, in microseconds (all threads of the process, the libuv pool included). */
export function cpuMicros(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return used.user + used.system;
}

/**
 * VmRSS and VmHWM (peak RSS) of a process, in kB, from /proc/<pid>/status; RssAnon (heap, malloc, stacks) and
 * RssFile (the node binary and libraries as paged in) split VmRSS.
 */
export function procMemory(pid: number): { rssKB: number; hwmKB: number; anonKB: number; fileKB: number } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
    if (!m) throw new Error(`/proc/${pid}/status has no ${name}`);
    return Number(m[1]);
  };
  return { rssKB: field('VmRSS'), hwmKB: field('VmHWM'), anonKB: field('RssAnon'), fileKB: field('RssFile') };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function printBenchJson(payload: Record<string, unknown> & { bench: string; summary: SummaryRow[] }): void {
  console.log(`BENCH_JSON ${JSON.stringify(payload)}`);
}
