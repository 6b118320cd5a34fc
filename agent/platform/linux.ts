import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { linuxLibrarySearchPath } from './linux-libraries.js';
import type { HostPlatform, MemoryInfo, ProcessInfo } from './types.js';

/** Linux's TASK_COMM_LEN is 16: /proc/<pid>/comm holds at most 15 characters of the executable name. */
const COMM_MAX = 15;
/** Reads of /proc run in batches, so a busy host with thousands of processes never exhausts file descriptors. */
const BATCH = 64;

export interface LinuxPlatformOptions {
  /** Where procfs is mounted; tests may point it elsewhere. */
  procRoot?: string;
}

/** Backend for Debian, UOS and Kylin: everything comes from procfs and Node's os module. */
export function createLinuxPlatform(options: LinuxPlatformOptions = {}): HostPlatform {
  const proc = options.procRoot ?? '/proc';
  return {
    name: 'linux',
    listProcesses: () => listProcesses(proc),
    memoryInfo: async () => parseMeminfo(await readFile(path.join(proc, 'meminfo'), 'utf8')),
    loadAverage: () => {
      const [one = 0, five = 0, fifteen = 0] = os.loadavg();
      return [one, five, fifteen];
    },
    cpuCount: () => os.availableParallelism(),
    defaultMounts: () => ['/'],
    paths: () => ({
      config: '/etc/guardpost/config.json',
      stateDir: '/var/lib/guardpost',
      logFile: '/var/log/guardpost/agent.log',
    }),
    librarySearchPath: () => linuxLibrarySearchPath(),
  };
}

async function listProcesses(proc: string): Promise<ProcessInfo[]> {
  const pids = (await readdir(proc)).filter((entry) => /^\d+$/.test(entry)).map(Number);
  const found: ProcessInfo[] = [];
  for (let i = 0; i < pids.length; i += BATCH) {
    const batch = await Promise.all(pids.slice(i, i + BATCH).map((pid) => readProcess(proc, pid)));
    for (const p of batch) if (p) found.push(p);
  }
  return found;
}

/** One process, or null when it exited while we were looking (or is not ours to read). */
async function readProcess(proc: string, pid: number): Promise<ProcessInfo | null> {
  try {
    const dir = path.join(proc, String(pid));
    const [comm, cmdline] = await Promise.all([
      readFile(path.join(dir, 'comm'), 'utf8'),
      readFile(path.join(dir, 'cmdline')).catch(() => Buffer.alloc(0)),
    ]);
    const argv = splitCmdline(cmdline);
    return { pid, name: processName(comm.replace(/\n$/, ''), argv[0]), commandLine: argv.join(' ') };
  } catch {
    return null;
  }
}

/** /proc/<pid>/cmdline is argv joined by NUL bytes (kernel threads have none). */
export function splitCmdline(raw: Buffer): string[] {
  const textual = raw.toString('utf8');
  const parts = textual.split('\0');
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/**
 * comm is cut to 15 characters ("SettlementClien"); when it is, the basename of argv[0] gives the full name,
 * but only if it starts with comm, because a program may rewrite its argv[0] to anything.
 */
export function processName(comm: string, argv0: string | undefined): string {
  if (comm.length < COMM_MAX || !argv0) return comm;
  const base = argv0.split('/').pop() ?? '';
  return base.length > comm.length && base.startsWith(comm) ? base : comm;
}

/** Parses /proc/meminfo (values in kB). MemAvailable exists since Linux 3.14; older kernels get an estimate. */
export function parseMeminfo(text: string): MemoryInfo {
  const kb = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([\w()]+):\s+(\d+)/.exec(line);
    if (m) kb.set(m[1]!, Number(m[2]));
  }
  const total = kb.get('MemTotal');
  if (total === undefined) throw new Error('/proc/meminfo has no MemTotal line');
  const available =
    kb.get('MemAvailable') ?? (kb.get('MemFree') ?? 0) + (kb.get('Buffers') ?? 0) + (kb.get('Cached') ?? 0);
  return {
    totalBytes: total * 1024,
    availableBytes: available * 1024,
    swapTotalBytes: (kb.get('SwapTotal') ?? 0) * 1024,
    swapFreeBytes: (kb.get('SwapFree') ?? 0) * 1024,
  };
}
