/**
 * Test-only isolated check: the first run (while `onceFile` does not exist) kills its own process;
 * later runs succeed. Writes a line to stderr first so the crash evidence can be checked.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { fixturePlugin, okResult } from './fixture-plugin.js';

type CrashMode = 'segv' | 'exit' | 'uncaught';

export const plugin = fixturePlugin<{ mode: CrashMode; onceFile: string }>('crash', import.meta.url, (config) => ({
  async run() {
    if (existsSync(config.onceFile)) return [okResult('crash', { pid: process.pid })];
    writeFileSync(config.onceFile, String(process.pid));
    process.stderr.write(`fixture about to crash (${config.mode})\n`);
    if (config.mode === 'segv') process.kill(process.pid, 'SIGSEGV');
    else if (config.mode === 'exit') process.exit(7);
    else setTimeout(() => { throw new Error('fixture uncaught boom'); }, 0);
    return new Promise(() => {});
  },
}));
