import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { processExists, waitFor } from './test-fixtures/context.js';

const parentScript = fileURLToPath(new URL('./test-fixtures/parent-process.ts', import.meta.url));
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'guardpost-orphan-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Starts the parent and resolves with it and its isolated child's pid. */
function startParent(mode: 'wait' | 'exit', fixture: string, config: unknown) {
  const parent = spawn(process.execPath, ['--import', tsx, parentScript, mode, fixture, JSON.stringify(config)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const childPid = new Promise<number>((resolve, reject) => {
    let out = '';
    parent.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /CHILD (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    parent.once('exit', () => reject(new Error(`parent exited before its child started: ${out}`)));
  });
  return { parent, childPid };
}

describe('isolated children do not outlive the agent', () => {
  it('an idle child exits when its parent is SIGKILLed (IPC disconnect)', async () => {
    const { parent, childPid } = startParent('wait', 'healthy', {});
    const pid = await childPid;
    expect(processExists(pid)).toBe(true);
    parent.kill('SIGKILL');
    expect(await waitFor(() => !processExists(pid), 10_000)).toBe(true);
  });

  it('a child stuck in a busy loop is killed when its parent exits', async () => {
    const pidFile = join(dir, 'pid');
    const { parent, childPid } = startParent('exit', 'busy-loop', { pidFile, ms: 20_000 });
    const pid = await childPid;
    await new Promise((resolve) => parent.once('exit', resolve));
    expect(await waitFor(() => !processExists(pid), 10_000)).toBe(true);
    expect(Number(readFileSync(pidFile, 'utf8'))).toBe(pid);
  });
});
