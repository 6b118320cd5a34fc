/** Test-only isolated check: every run throws. */
import { fixturePlugin } from './fixture-plugin.js';

export const plugin = fixturePlugin<Record<string, never>>('throws', import.meta.url, () => ({
  async run() {
    throw new Error('fixture probe failed');
  },
}));
