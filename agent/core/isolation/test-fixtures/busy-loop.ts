/** Test-only isolated check: writes its pid, then blocks its event loop for `ms` (like a hung vendor module). */
import { writeFileSync } from 'node:fs';
import { fixturePlugin, okResult } from './fixture-plugin.js';

export const plugin = fixturePlugin<{ pidFile: string; ms: number }>('busy-loop', import.meta.url, (config) => ({
  async run() {
    writeFileSync(config.pidFile, String(process.pid));
    const until = Date.now() + config.ms;
    while (Date.now() < until) {
      // spin
    }
    return [okResult('busy-loop', { pid: process.pid })];
  },
}));
