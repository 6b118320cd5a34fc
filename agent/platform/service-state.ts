import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** How the OS's service manager sees a service; `manager: null` where there is none to ask (a container, a chroot). */
export interface ServiceState {
  manager: 'systemd' | 'windows-scm' | null;
  /** active / inactive / failed / activating (systemd); RUNNING / STOPPED … (Windows). */
  active: string;
  /** enabled / disabled / static (systemd); AUTO_START / DEMAND_START (Windows). */
  enabled: string;
}

/**
 * The state of a service, read through the OS's own tool (systemctl, sc.exe), never changed. One function per OS
 * behind one shape, like the rest of agent/platform.
 */
export async function serviceState(name: string, nodePlatform: NodeJS.Platform | string = process.platform): Promise<ServiceState> {
  if (nodePlatform === 'win32') return windowsState(name);
  // systemd is the init only when this directory exists (sd_booted()); without it systemctl would only fail.
  if (!existsSync('/run/systemd/system')) return { manager: null, active: 'unknown', enabled: 'unknown' };
  const ask = async (verb: string) => (await run('systemctl', [verb, `${name}.service`]).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }))).stdout.trim() || 'unknown';
  const [active, enabled] = await Promise.all([ask('is-active'), ask('is-enabled')]);
  return { manager: 'systemd', active, enabled };
}

async function windowsState(name: string): Promise<ServiceState> {
  const out = async (args: string[]) => (await run('sc.exe', args).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }))).stdout;
  const state = /STATE\s+:\s+\d+\s+(\w+)/.exec(await out(['query', name]))?.[1] ?? 'unknown';
  const start = /START_TYPE\s+:\s+\d+\s+(\w+)/.exec(await out(['qc', name]))?.[1] ?? 'unknown';
  return { manager: 'windows-scm', active: state, enabled: start };
}
