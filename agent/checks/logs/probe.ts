import type { Probe, ProbeContext } from '../../core/checks/plugin.js';
import type { ProbeResult } from '../../core/checks/result.js';
import { formatBytes } from '../shared/format.js';
import { errorCode, stopwatch, throwIfAborted } from '../shared/result.js';
import { scanPath, type Budget, type PathState, type ScanTotals } from './scan.js';
import { compileLogsConfig, resolveLogsConfig, type LogsConfig, type ResolvedLogsConfig } from './schema.js';

/** The check's persistent state: per configured path, where each followed file was read to. */
export interface LogsState {
  version: 1;
  paths: Record<string, PathState>;
}

export function createLogsProbe(config: LogsConfig, ctx: ProbeContext): Probe {
  const c = resolveLogsConfig(config);
  const patterns = compileLogsConfig(c);
  return {
    async run(signal) {
      const prev = ctx.state.get<LogsState>();
      const prevPaths = prev?.version === 1 ? prev.paths : {};
      const next: LogsState = { version: 1, paths: {} };
      const budget: Budget = { remaining: c.maxBytesPerScan };
      const results: ProbeResult[] = [];
      for (const entry of c.paths) {
        throwIfAborted(signal);
        const done = stopwatch(ctx.now);
        try {
          const scan = await scanPath(entry, prevPaths[entry], { ...c, patterns, signal }, budget);
          next.paths[entry] = scan.state;
          results.push(done(resultFor(entry, scan.totals, c)));
        } catch (err) {
          if (signal.aborted) throw err;
          // Keep where we were: the file is read on from there once it is readable again.
          if (prevPaths[entry]) next.paths[entry] = prevPaths[entry];
          const code = errorCode(err);
          results.push(
            done({
              status: 'fail',
              reason: 'file_unreadable',
              subject: entry,
              evidence: { error: code },
              message: { zh: `无法读取日志 ${entry}（${code}）`, en: `cannot read log ${entry} (${code})` },
            }),
          );
        }
      }
      // Saved only after a complete run: an aborted run is simply done again.
      ctx.state.set(next);
      return results;
    },
  };
}

function resultFor(entry: string, t: ScanTotals, c: ResolvedLogsConfig): Parameters<ReturnType<typeof stopwatch>>[0] {
  const evidence = {
    matches: t.matches,
    lines: t.lines,
    bytesRead: t.bytesRead,
    backlogBytes: t.backlogBytes,
    files: t.files,
    rotations: t.rotations,
    truncations: t.truncations,
    lostRotations: t.lostRotations,
    sample: t.sample ?? null,
    sampleFile: t.sampleFile ?? null,
  };
  if (t.files === 0 && t.lines === 0) {
    return {
      status: 'ok',
      reason: 'ok',
      subject: entry,
      evidence,
      message: { zh: `未找到日志文件 ${entry}（尚未生成？）`, en: `no log file at ${entry} yet` },
    };
  }
  const read = { zh: `本次读取 ${t.lines} 行（${formatBytes(t.bytesRead)}）`, en: `${t.lines} lines (${formatBytes(t.bytesRead)}) read` };
  if (t.matches < c.minorCount) {
    return { status: 'ok', reason: 'ok', subject: entry, evidence, message: { zh: `日志 ${entry} 无错误：${read.zh}`, en: `log ${entry}: no errors, ${read.en}` } };
  }
  return {
    status: 'fail',
    reason: 'errors_found',
    subject: entry,
    evidence,
    message: {
      zh: `日志 ${entry} 出现 ${t.matches} 行错误：${read.zh}；首条：${t.sample ?? ''}`,
      en: `log ${entry} has ${t.matches} error lines in ${read.en}; first: ${t.sample ?? ''}`,
    },
  };
}
