import type { CheckStateHandle, ProbeContext } from '../../checks/plugin.js';
import type { HostPlatform } from '../../../platform/types.js';

/** Test-only: an in-memory state handle. */
export class MemoryState implements CheckStateHandle {
  value: unknown;

  get<T>(): T | undefined {
    return this.value as T | undefined;
  }

  set<T>(value: T): void {
    this.value = value;
  }
}

const testPlatform: HostPlatform = {
  name: 'test',
  listProcesses: async () => [],
  memoryInfo: async () => ({ totalBytes: 0, availableBytes: 0, swapTotalBytes: 0, swapFreeBytes: 0 }),
  loadAverage: () => null,
  cpuCount: () => 1,
  defaultMounts: () => [],
  paths: () => ({ config: '/tmp/x', stateDir: '/tmp/x', logFile: '/tmp/x.log' }),
};

/** Test-only: a ProbeContext with an in-memory state. */
export function testContext(checkId: string, state: CheckStateHandle = new MemoryState()): ProbeContext {
  return { checkId, platform: testPlatform, state, now: () => new Date() };
}

/** True while a process with this pid exists. */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every 25 ms until it holds or `timeoutMs` passes; returns whether it held. */
export async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await sleep(25);
  }
  return condition();
}
