import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { rm, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A pair of linked pseudo-terminals made by socat: bytes written to one path come out of the other.
 * `socat -d -d pty,raw,echo=0,link=A pty,raw,echo=0,link=B`. Stopping socat (SIGTERM) removes both links and
 * closes the ptys, which a reader of either end sees as the device going away — a USB-serial unplug.
 */
export interface SocatPair {
  pathA: string;
  pathB: string;
  pid: number;
  /** SIGTERM, then wait for exit (SIGKILL and link removal after `killAfterMs` if it hangs). Idempotent. */
  stop(): Promise<void>;
  /** socat's recent stderr, for error messages. */
  log(): string;
}

export interface SocatPairOptions {
  /** How long to wait for both links to appear (they normally take a few ms). */
  readyTimeoutMs?: number;
  killAfterMs?: number;
  socatPath?: string;
}

/** Whether socat can be run here (tests skip or fail loudly on this). */
export function socatAvailable(socatPath = 'socat'): boolean {
  const probe = spawnSync(socatPath, ['-V'], { stdio: 'ignore' });
  return probe.error === undefined && probe.status === 0;
}

/** socat processes this process started and has not stopped: terminated if we exit first, so no pty pair outlives us. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) child.kill('SIGTERM');
  });
}

export async function startSocatPair(pathA: string, pathB: string, options: SocatPairOptions = {}): Promise<SocatPair> {
  const readyTimeoutMs = options.readyTimeoutMs ?? 3000;
  const killAfterMs = options.killAfterMs ?? 2000;
  // A socat killed with SIGKILL leaves dangling links to a /dev/pts/N that a later pty may reuse: never trust old ones.
  await Promise.all([rm(pathA, { force: true }), rm(pathB, { force: true })]);

  const child = spawn(options.socatPath ?? 'socat', ['-d', '-d', `pty,raw,echo=0,link=${pathA}`, `pty,raw,echo=0,link=${pathB}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
  let spawnError: Error | undefined;
  child.once('error', (error) => (spawnError = error));
  let exited = child.exitCode !== null;
  const exit = new Promise<void>((resolve) =>
    child.once('close', () => {
      exited = true;
      live.delete(child);
      resolve();
    }),
  );
  live.add(child);
  installExitHook();

  const stop = async (): Promise<void> => {
    if (exited) return;
    child.kill('SIGTERM');
    const done = await Promise.race([exit.then(() => true), sleep(killAfterMs, false)]);
    if (!done) {
      child.kill('SIGKILL');
      await exit;
      await Promise.all([rm(pathA, { force: true }), rm(pathB, { force: true })]);
    }
  };

  const deadline = Date.now() + readyTimeoutMs;
  while (!(await linked(pathA)) || !(await linked(pathB))) {
    if (spawnError) throw new Error(`cannot run socat: ${spawnError.message}`);
    if (exited) throw new Error(`socat exited before both links appeared: ${log.trim()}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`socat links ${pathA} and ${pathB} did not appear within ${readyTimeoutMs} ms: ${log.trim()}`);
    }
    await sleep(2);
  }
  return { pathA, pathB, pid: child.pid!, stop, log: () => log };
}

/** The link exists and points at an existing pty (stat follows the symlink). */
async function linked(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
