/*
 * Windows backend. NOT YET TESTED ON WINDOWS: written against the documented behaviour of tasklist and Node's os module;
 * only the pure parsers below are unit-tested (on Linux). Verify on a Windows 7/10 till PC before relying on it.
 */
import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import type { HostPlatform, ProcessInfo } from './types.js';

const TASKLIST_TIMEOUT_MS = 15_000;

export function createWindowsPlatform(env: NodeJS.ProcessEnv = process.env): HostPlatform {
  const programData = env.ProgramData ?? env.PROGRAMDATA ?? 'C:\\ProgramData';
  const home = path.win32.join(programData, 'Guardpost');
  const systemDrive = /^[A-Za-z]:$/.test(env.SystemDrive ?? '') ? env.SystemDrive! : 'C:';
  return {
    name: 'windows',
    listProcesses,
    // os.freemem() on Windows is the physical memory available (free + standby), the figure Task Manager shows.
    // Swap (page file) use is not available without wmic/PowerShell, so it is reported as 0 (unknown).
    memoryInfo: async () => ({ totalBytes: os.totalmem(), availableBytes: os.freemem(), swapTotalBytes: 0, swapFreeBytes: 0 }),
    loadAverage: () => null,
    cpuCount: () => os.availableParallelism(),
    defaultMounts: () => [`${systemDrive}\\`],
    paths: () => ({
      config: path.win32.join(home, 'config.json'),
      stateDir: path.win32.join(home, 'state'),
      logFile: path.win32.join(home, 'logs', 'agent.log'),
    }),
    librarySearchPath: () => windowsLibrarySearchPath(env),
  };
}

/**
 * LoadLibrary's standard search order for a bare DLL name (safe DLL search mode, so the current directory comes
 * after the system ones and is left out here): the program's own directory, System32, the Windows directory, PATH.
 * Vendor PKCS#11 DLLs usually sit in System32.
 */
export function windowsLibrarySearchPath(env: NodeJS.ProcessEnv, execPath = process.execPath): string[] {
  const root = env.SystemRoot ?? env.SYSTEMROOT ?? env.windir ?? 'C:\\Windows';
  const dirs = [path.win32.dirname(execPath), path.win32.join(root, 'System32'), root, ...(env.Path ?? env.PATH ?? '').split(';')];
  const seen = new Set<string>();
  return dirs
    .map((d) => d.trim().replace(/^"(.*)"$/, '$1'))
    .filter((d) => d !== '' && !seen.has(d.toLowerCase()) && seen.add(d.toLowerCase()));
}

/** tasklist gives names and pids but no command lines; commandLine is left empty. */
function listProcesses(): Promise<ProcessInfo[]> {
  return new Promise((resolve, reject) => {
    execFile(
      'tasklist',
      ['/fo', 'csv', '/nh'],
      { encoding: 'buffer', windowsHide: true, timeout: TASKLIST_TIMEOUT_MS, maxBuffer: 8 * 1024 * 1024 },
      (err, stdout) => {
        if (err) reject(new Error(`tasklist failed: ${err.message}`));
        else resolve(parseTasklistCsv(decodeConsoleOutput(stdout)));
      },
    );
  });
}

/** Console programs write in the OEM code page: GBK (936) on Chinese Windows, UTF-8 when chcp 65001 is set. */
export function decodeConsoleOutput(raw: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    return new TextDecoder('gbk').decode(raw);
  }
}

/**
 * Parses `tasklist /fo csv /nh`: one quoted CSV row per process,
 * `"Image Name","PID","Session Name","Session#","Mem Usage"`. Lines that are not CSV rows
 * (e.g. the localized "INFO: No tasks are running" message) are skipped.
 */
export function parseTasklistCsv(text: string): ProcessInfo[] {
  const processes: ProcessInfo[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line.startsWith('"')) continue;
    const fields = parseCsvLine(line);
    const name = fields[0];
    const pid = Number(fields[1]);
    if (!name || !Number.isInteger(pid) || pid < 0) continue;
    processes.push({ pid, name, commandLine: '' });
  }
  return processes;
}

/** One CSV line: fields separated by commas, optionally quoted, "" inside quotes is a quote. */
export function parseCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else field += c;
  }
  fields.push(field);
  return fields;
}
