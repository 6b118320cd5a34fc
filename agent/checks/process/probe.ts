import type { Probe, ProbeContext } from '../../core/checks/plugin.js';
import type { ProbeResult } from '../../core/checks/result.js';
import { stopwatch, throwIfAborted } from '../shared/result.js';
import { matcherFor, validateProcesses } from './matcher.js';
import { resolveProcess, type ProcessConfig } from './schema.js';

const MAX_PIDS = 10;

export function createProcessProbe(config: ProcessConfig, ctx: ProbeContext): Probe {
  const specs = config.processes.map(resolveProcess);
  validateProcesses(specs);
  const windows = ctx.platform.name === 'windows';
  const watched = specs.map((spec, i) => ({ spec, matches: matcherFor(spec, i, windows) }));

  return {
    async run(signal) {
      const done = stopwatch(ctx.now);
      // The agent itself never counts: a broad command-line pattern could otherwise match its own process.
      const all = (await ctx.platform.listProcesses()).filter((p) => p.pid !== process.pid);
      throwIfAborted(signal);
      const hasCommandLines = all.some((p) => p.commandLine !== '');
      return watched.map(({ spec, matches }): ProbeResult => {
        const label = spec.title || spec.name;
        const subject = spec.name;
        if (spec.match === 'commandLine' && !hasCommandLines) {
          return done({
            status: 'fail',
            reason: 'command_line_unavailable',
            subject,
            evidence: { count: 0, minCount: spec.minCount, match: spec.match, platform: ctx.platform.name },
            message: {
              zh: `无法按命令行检查进程 ${label}：本系统上监控程序读取不到进程命令行，请改用进程名（match: "name"）`,
              en: `cannot check ${label} by command line: process command lines are not available on this system; use match "name"`,
            },
          });
        }
        const found = all.filter(matches);
        const evidence = {
          count: found.length,
          minCount: spec.minCount,
          match: spec.match,
          pids: found.slice(0, MAX_PIDS).map((p) => p.pid).join(','),
        };
        if (found.length >= spec.minCount) {
          return done({
            status: 'ok',
            reason: 'ok',
            subject,
            evidence,
            message: { zh: `进程 ${label} 正在运行（${found.length} 个）`, en: `${label} is running (${found.length})` },
          });
        }
        if (found.length === 0) {
          return done({
            status: 'fail',
            reason: 'process_missing',
            subject,
            evidence,
            message: { zh: `进程 ${label} 未运行`, en: `${label} is not running` },
          });
        }
        return done({
          status: 'fail',
          reason: 'too_few_instances',
          subject,
          evidence,
          message: {
            zh: `进程 ${label} 只有 ${found.length} 个在运行，应至少 ${spec.minCount} 个`,
            en: `only ${found.length} of at least ${spec.minCount} ${label} processes are running`,
          },
        });
      });
    },
  };
}
