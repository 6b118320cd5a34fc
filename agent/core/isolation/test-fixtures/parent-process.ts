/**
 * Test-only: a parent process that supervises one isolated check, prints "CHILD <pid>" once the child runs,
 * then either waits to be killed (mode "wait") or, in mode "exit", exits by itself once the child's run is under way
 * (config.pidFile written by the busy-loop fixture) while the child is still busy.
 * Usage: node --import tsx parent-process.ts <wait|exit> <fixture> <config-json>
 */
import { existsSync } from 'node:fs';
import { IsolatedProbeHost } from '../isolated-probe-host.js';
import { MemoryState } from './context.js';

const [mode, fixture, configJson] = process.argv.slice(2);
const config = JSON.parse(configJson ?? '{}') as { pidFile?: string };
const host = new IsolatedProbeHost({
  checkId: 'orphan-test',
  moduleUrl: new URL(`./${fixture}.ts`, import.meta.url).href,
  config,
  state: new MemoryState(),
});

const running = host.execute(new AbortController().signal);
const poll = setInterval(() => {
  if (host.pid === undefined) return;
  clearInterval(poll);
  process.stdout.write(`CHILD ${host.pid}\n`);
  if (mode !== 'exit') return;
  const started = setInterval(() => {
    if (!config.pidFile || !existsSync(config.pidFile)) return;
    clearInterval(started);
    setTimeout(() => process.exit(0), 100);
  }, 20);
}, 20);
await running;
setInterval(() => {}, 1000);
