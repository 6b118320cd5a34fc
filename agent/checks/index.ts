import type { CheckPlugin } from '../core/checks/plugin.js';

/**
 * Every check Guardpost ships, by config `type`, each imported on first use. A service loads only the checks its
 * config names: the code of the others (schemas, reasons, runbooks, probes) would otherwise sit in its heap for
 * nothing (bench/agent-memory: about 2 MB resident for a till running the host checks). The core is handed the
 * loaded list and imports no check by name.
 */
const loaders: Record<string, () => Promise<{ plugin: CheckPlugin }>> = {
  disk: () => import('./disk/index.js'),
  memory: () => import('./memory/index.js'),
  backup: () => import('./backup/index.js'),
  logs: () => import('./logs/index.js'),
  clock: () => import('./clock/index.js'),
  process: () => import('./process/index.js'),
  token: () => import('./token/index.js'),
  settlement: () => import('./settlement/index.js'),
  certserver: () => import('./certserver/index.js'),
  cert: () => import('./cert/index.js'),
  reader: () => import('./reader/index.js'),
};

/** The types of every shipped check, in the order docs and examples list them. */
export const builtinCheckTypes: readonly string[] = Object.freeze(Object.keys(loaders));

/**
 * The plugins of the given types (default: all), in `builtinCheckTypes` order. Names that are no shipped type are
 * skipped: the config loader reports them with the list of known types.
 */
export async function loadBuiltinPlugins(types: Iterable<string> = builtinCheckTypes): Promise<CheckPlugin[]> {
  const wanted = new Set(types);
  const chosen = builtinCheckTypes.filter((t) => wanted.has(t));
  return Promise.all(chosen.map(async (t) => (await loaders[t]!()).plugin));
}
