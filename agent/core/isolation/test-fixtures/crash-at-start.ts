/** Test-only isolated check: its child dies while creating the probe; every start is logged to `spawnLog`. */
import { appendFileSync } from 'node:fs';
import { fixturePlugin } from './fixture-plugin.js';

export const plugin = fixturePlugin<{ spawnLog: string }>('crash-at-start', import.meta.url, (config) => {
  appendFileSync(config.spawnLog, `${process.pid}\n`);
  process.exit(3);
});
