import { cpus, loadavg, platform as osPlatform } from 'node:os';
import type { HostPlatform } from '../../platform/types.js';

/**
 * The host platform inside an isolated child: currentPlatform(), or, when the backend cannot be loaded or does not
 * support this OS, a minimal stand-in, so the child still starts and a check fails only on the calls it makes.
 * Imported lazily: checks that never touch the platform do not pay for loading it.
 */
export async function loadChildPlatform(): Promise<HostPlatform> {
  try {
    const { currentPlatform } = await import('../../platform/index.js');
    return currentPlatform();
  } catch {
    return unavailablePlatform();
  }
}

function unavailablePlatform(): HostPlatform {
  const missing = (what: string): Promise<never> =>
    Promise.reject(new Error(`platform backend unavailable in isolated child: ${what}`));
  const name = osPlatform() === 'win32' ? 'windows' : osPlatform();
  return {
    name,
    listProcesses: () => missing('listProcesses'),
    memoryInfo: () => missing('memoryInfo'),
    loadAverage: () => (name === 'windows' ? null : (loadavg() as [number, number, number])),
    cpuCount: () => cpus().length,
    defaultMounts: () => [],
    paths: () => {
      throw new Error('platform backend unavailable in isolated child: paths');
    },
  };
}
