import { readFile, readdir, readlink, realpath } from 'node:fs/promises';
import path from 'node:path';

export interface PortUser {
  pid: number;
  /** /proc/<pid>/comm: the program name (e.g. "SettlementClien", cut at 15 characters by the kernel). */
  command: string;
}

export interface PortUsersOptions {
  /** Root of procfs; tests may point it elsewhere. */
  procRoot?: string;
  /** Pids not to report: by default our own. */
  excludePids?: number[];
}

/**
 * Other processes that have the device open, found through /proc/<pid>/fd (Linux). Looking does not touch the port,
 * so a reader check can tell "in use by the settlement software" without opening it — opening a held port would
 * rewrite its line settings (see openSerialPort) and, for a moment, hold a port the settlement software may want.
 *
 * Best effort: processes of other users are only visible to root (or with CAP_SYS_PTRACE); returns null when /proc
 * is not there at all (not Linux), so callers fall back to trying the lock.
 */
export async function portUsers(devicePath: string, options: PortUsersOptions = {}): Promise<PortUser[] | null> {
  const procRoot = options.procRoot ?? '/proc';
  const exclude = new Set(options.excludePids ?? [process.pid]);
  let target: string;
  try {
    target = await realpath(devicePath);
  } catch {
    return []; // no device, no users
  }
  let pids: string[];
  try {
    pids = (await readdir(procRoot)).filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  const users: PortUser[] = [];
  await Promise.all(
    pids.map(async (name) => {
      const pid = Number(name);
      if (exclude.has(pid)) return;
      const fdDir = path.join(procRoot, name, 'fd');
      let fds: string[];
      try {
        fds = await readdir(fdDir);
      } catch {
        return; // gone, or not ours to look at
      }
      for (const fd of fds) {
        const link = await readlink(path.join(fdDir, fd)).catch(() => undefined);
        if (link !== target) continue;
        const command = (await readFile(path.join(procRoot, name, 'comm'), 'utf8').catch(() => '?')).trim();
        users.push({ pid, command });
        return;
      }
    }),
  );
  return users.sort((a, b) => a.pid - b.pid);
}
