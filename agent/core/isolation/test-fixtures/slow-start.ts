/** Test-only isolated check whose module takes 3 s to load (like a heavy vendor driver on a slow terminal). */
import { fixturePlugin, okResult } from './fixture-plugin.js';

await new Promise((resolve) => setTimeout(resolve, 3000));

export const plugin = fixturePlugin<Record<string, never>>('slow-start', import.meta.url, () => ({
  async run() {
    return [okResult('slow-start', { pid: process.pid })];
  },
}));
