import { spawn } from 'node:child_process';
import { lstat, readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureLinkDirectory } from './link-directory.js';

/*
 * The pseudo-terminal the settlement software opens instead of the real serial port.
 *
 * Node cannot make a pty by itself (that needs posix_openpt/grantpt/unlockpt, i.e. native code), so socat makes it:
 *   socat pty,raw,echo=0,link=/run/guardpost/reader0 STDIO
 * socat owns the pty master and relays it to its stdin/stdout, which are pipes to us. One pty and one pipe per
 * direction — fewer hops than a socat pty *pair* with us on the second pty — and it ends with us: if Guardpost dies,
 * socat reads EOF on its stdin and exits, removing the link, so no orphan keeps a dead port alive.
 * socat also keeps the slave side open itself, so the settlement software can close and reopen the port at will
 * without the pty going away (measured: socat 1.7.4.4).
 */

export interface AppPtyOptions {
  /** Stable path of the link, e.g. /run/guardpost/reader0. Its directory must exist, except /run/guardpost (see link-directory.ts). */
  linkPath: string;
  /** Permissions of the pty device, e.g. "0660"; default socat's (0620, owner only can read). */
  perm?: string;
  /** Group owning the pty device, e.g. "dialout", so a settlement software not running as root can open it. */
  group?: string;
  socatPath?: string;
  readyTimeoutMs?: number;
}

export interface AppPty {
  readonly linkPath: string;
  /** Bytes the settlement software wrote. */
  readonly fromApp: Readable;
  /** Bytes for the settlement software. */
  readonly toApp: Writable;
  readonly pid: number;
  /** Resolves when socat has exited (stopped, or died on its own). */
  readonly exited: Promise<void>;
  stop(): Promise<void>;
  log(): string;
}

export class AppPtyError extends Error {
  override readonly name = 'AppPtyError';
}

export async function startAppPty(options: AppPtyOptions): Promise<AppPty> {
  const { linkPath } = options;
  await ensureLinkDirectory(linkPath).catch((error: Error) => {
    throw new AppPtyError(error.message);
  });
  await clearStaleLink(linkPath);
  const address = ['pty', 'raw', 'echo=0', `link=${linkPath}`];
  if (options.perm) address.push(`perm=${options.perm}`);
  if (options.group) address.push(`group=${options.group}`);
  // -t: after EOF on one side, how long socat keeps relaying the other before it exits.
  const child = spawn(options.socatPath ?? 'socat', ['-d', '-d', '-t', '0.2', address.join(','), 'STDIO'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
  // A write racing socat's exit gets EPIPE; the exit itself is what the bridge acts on.
  child.stdin?.on('error', () => undefined);
  let spawnError: Error | undefined;
  child.once('error', (error) => (spawnError = error));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));

  const stop = async (): Promise<void> => {
    if (gone) return;
    child.kill('SIGTERM');
    if (!(await Promise.race([exited.then(() => true), sleep(2000, false)]))) {
      child.kill('SIGKILL');
      await exited;
      await rm(linkPath, { force: true });
    }
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 3000);
  while (!(await pointsAtDevice(linkPath))) {
    if (spawnError) throw new AppPtyError(`cannot run socat: ${spawnError.message}`);
    if (gone) throw new AppPtyError(`socat exited before ${linkPath} appeared: ${log.trim()}`);
    if (Date.now() > deadline) {
      await stop();
      throw new AppPtyError(`${linkPath} did not appear: ${log.trim()}`);
    }
    await sleep(2);
  }
  return { linkPath, fromApp: child.stdout!, toApp: child.stdin!, pid: child.pid!, exited, stop, log: () => log };
}

/**
 * The path may hold a link from an earlier run that was killed: that we replace. A link a live socat still serves
 * (the running agent's bridge, while someone runs a one-shot `guardpost check`) must not be taken over: the settlement
 * software would open our pty next and lose it when we exit. Anything that is not a link we refuse to touch.
 */
async function clearStaleLink(linkPath: string, procRoot = '/proc'): Promise<void> {
  const info = await lstat(linkPath).catch(() => undefined);
  if (!info) return;
  if (!info.isSymbolicLink()) throw new AppPtyError(`${linkPath} exists and is not a symlink; refusing to replace it`);
  const owner = await socatServing(linkPath, procRoot);
  if (owner !== null) throw new AppPtyError(`${linkPath} is already served by a running bridge (socat pid ${owner})`);
  await rm(linkPath, { force: true });
}

/** Pid of a live socat whose command line makes this link, or null. */
async function socatServing(linkPath: string, procRoot: string): Promise<number | null> {
  const pids = await readdir(procRoot).catch(() => [] as string[]);
  for (const pid of pids) {
    if (!/^\d+$/.test(pid)) continue;
    const cmdline = await readFile(path.join(procRoot, pid, 'cmdline'), 'utf8').catch(() => '');
    const args = cmdline.split('\0');
    if (path.basename(args[0] ?? '') === 'socat' && args.some((a) => a.split(',').includes(`link=${linkPath}`))) return Number(pid);
  }
  return null;
}

async function pointsAtDevice(linkPath: string): Promise<boolean> {
  return stat(linkPath).then(
    (s) => s.isCharacterDevice(),
    () => false,
  );
}
