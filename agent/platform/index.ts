import { createLinuxPlatform } from './linux.js';
import type { HostPlatform } from './types.js';
import { createWindowsPlatform } from './windows.js';

export type { HostPlatform, MemoryInfo, ProcessInfo } from './types.js';

/** The backend for an OS as Node names it (process.platform); throws for an OS Guardpost does not support. */
export function platformFor(nodePlatform: NodeJS.Platform | string): HostPlatform {
  switch (nodePlatform) {
    case 'linux':
      return createLinuxPlatform();
    case 'win32':
      return createWindowsPlatform();
    default:
      throw new Error(
        `Guardpost does not support this operating system (process.platform = "${nodePlatform}"); ` +
          'supported: linux (Debian, UOS, Kylin) and win32 (Windows)',
      );
  }
}

let current: HostPlatform | undefined;

/** The backend for the OS this process runs on. */
export function currentPlatform(): HostPlatform {
  current ??= platformFor(process.platform);
  return current;
}
