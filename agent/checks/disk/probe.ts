import type { StatsFs } from 'node:fs';
import { statfs } from 'node:fs/promises';
import path from 'node:path';
import type { Probe, ProbeContext } from '../../core/checks/plugin.js';
import type { ProbeResult } from '../../core/checks/result.js';
import { SEVERITY_TEXT } from '../../core/severity.js';
import { formatBytes, round } from '../shared/format.js';
import { mountPointOf } from '../shared/mount-point.js';
import { errorCode, stopwatch, throwIfAborted } from '../shared/result.js';
import { gradeAbove, type Thresholds } from '../shared/thresholds.js';
import { inodeThresholds, spaceThresholds, validateMounts } from './levels.js';
import { resolveMount, type DiskConfig, type ResolvedMount } from './schema.js';

/** Subject of a mount's inode result; the space result's subject is the path itself. */
export const inodeSubject = (watched: string): string => `${watched} (inodes)`;

export function createDiskProbe(config: DiskConfig, ctx: ProbeContext): Probe {
  const configured = config.mounts ?? [];
  const mounts = (configured.length > 0 ? configured : ctx.platform.defaultMounts().map((p) => ({ path: p }))).map(resolveMount);
  validateMounts(mounts);
  return {
    async run(signal) {
      const results: ProbeResult[] = [];
      for (const mount of mounts) {
        throwIfAborted(signal);
        results.push(...(await probeMount(mount, ctx)));
      }
      return results;
    },
  };
}

async function probeMount(mount: ResolvedMount, ctx: ProbeContext): Promise<ProbeResult[]> {
  const done = stopwatch(ctx.now);
  const watched = path.resolve(mount.path);
  let st: StatsFs;
  try {
    st = await statfs(watched);
  } catch (err) {
    const code = errorCode(err);
    return [
      done({
        status: 'fail',
        reason: 'mount_unavailable',
        subject: watched,
        labels: { mount: watched, path: watched },
        evidence: { error: code },
        message: {
          zh: `磁盘 ${watched} 不存在或无法读取（${code}）`,
          en: `disk ${watched} is missing or cannot be read (${code})`,
        },
      }),
    ];
  }
  const labels = { mount: await mountPointOf(watched), path: watched };
  const results = [done(spaceResult(st, watched, labels, spaceThresholds(mount)))];
  // Some filesystems (btrfs, vfat, NTFS through libuv) report no inode figures: nothing to judge then.
  if (st.files > 0) results.push(done(inodeResult(st, watched, labels, inodeThresholds(mount))));
  return results;
}

type Body = Parameters<ReturnType<typeof stopwatch>>[0];

/** Usage as df computes it: used / (used + available to unprivileged users); root's reserve counts as used. */
function spaceResult(st: StatsFs, watched: string, labels: Record<string, string>, t: Thresholds): Body {
  const total = st.blocks * st.bsize;
  const used = (st.blocks - st.bfree) * st.bsize;
  const avail = st.bavail * st.bsize;
  const usedPercent = used + avail > 0 ? round((used / (used + avail)) * 100) : 0;
  const evidence = { usedPercent, usedBytes: used, availableBytes: avail, totalBytes: total };
  const level = gradeAbove(usedPercent, t);
  const free = formatBytes(avail);
  if (!level) {
    return {
      status: 'ok',
      reason: 'ok',
      subject: watched,
      labels,
      evidence,
      message: { zh: `磁盘 ${watched} 已用 ${usedPercent}%，可用 ${free}`, en: `disk ${watched} is ${usedPercent}% used, ${free} free` },
    };
  }
  const line = t[level]!;
  return {
    status: 'fail',
    reason: 'space_low',
    subject: watched,
    labels,
    evidence: { ...evidence, thresholdPercent: line },
    message: {
      zh: `磁盘 ${watched} 已用 ${usedPercent}%，已达 ${line}% 警戒线（${SEVERITY_TEXT[level].zh}），仅剩 ${free}`,
      en: `disk ${watched} is ${usedPercent}% used, at or above the ${level} line of ${line}%; only ${free} free`,
    },
  };
}

function inodeResult(st: StatsFs, watched: string, labels: Record<string, string>, t: Thresholds): Body {
  const used = st.files - st.ffree;
  const inodesUsedPercent = round((used / st.files) * 100);
  const evidence = { inodesUsedPercent, inodesUsed: used, inodesFree: st.ffree, inodesTotal: st.files };
  const level = gradeAbove(inodesUsedPercent, t);
  const subject = inodeSubject(watched);
  if (!level) {
    return {
      status: 'ok',
      reason: 'ok',
      subject,
      labels,
      evidence,
      message: { zh: `磁盘 ${watched} inode 已用 ${inodesUsedPercent}%`, en: `disk ${watched} has ${inodesUsedPercent}% of its inodes used` },
    };
  }
  const line = t[level]!;
  return {
    status: 'fail',
    reason: 'inodes_low',
    subject,
    labels,
    evidence: { ...evidence, thresholdPercent: line },
    message: {
      zh: `磁盘 ${watched} inode 已用 ${inodesUsedPercent}%，已达 ${line}% 警戒线（${SEVERITY_TEXT[level].zh}），剩余 ${st.ffree} 个`,
      en: `disk ${watched} has ${inodesUsedPercent}% of its inodes used, at or above the ${level} line of ${line}%; ${st.ffree} left`,
    },
  };
}
