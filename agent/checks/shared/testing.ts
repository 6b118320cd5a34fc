/** Helpers for the checks' tests: a probe context around a real or partly faked platform. Not used at run time. */
import type { CheckStateHandle, ProbeContext } from '../../core/checks/plugin.js';
import { currentPlatform } from '../../platform/index.js';
import type { HostPlatform } from '../../platform/types.js';

/** Persistent check state kept in memory, JSON round-tripped like the real store so tests catch non-JSON values. */
export function memoryState(initial?: unknown): CheckStateHandle & { raw(): unknown } {
  let stored = initial === undefined ? undefined : JSON.stringify(initial);
  return {
    get: <T>() => (stored === undefined ? undefined : (JSON.parse(stored) as T)),
    set: <T>(value: T) => {
      stored = JSON.stringify(value);
    },
    raw: () => (stored === undefined ? undefined : JSON.parse(stored)),
  };
}

export function testContext(overrides: Partial<ProbeContext> & { platformOverrides?: Partial<HostPlatform> } = {}): ProbeContext {
  const { platformOverrides, ...rest } = overrides;
  const base = currentPlatform();
  const platform: HostPlatform = platformOverrides ? { ...bindAll(base), ...platformOverrides } : base;
  return { checkId: 'test', platform, state: memoryState(), now: () => new Date(), ...rest };
}

/** The real backend's methods as plain functions, so spreading it keeps them working. */
function bindAll(p: HostPlatform): HostPlatform {
  return {
    name: p.name,
    listProcesses: () => p.listProcesses(),
    memoryInfo: () => p.memoryInfo(),
    loadAverage: () => p.loadAverage(),
    cpuCount: () => p.cpuCount(),
    defaultMounts: () => p.defaultMounts(),
    paths: () => p.paths(),
  };
}

export const neverAborted = new AbortController().signal;
