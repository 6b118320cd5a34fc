import { readdirSync, readFileSync } from 'node:fs';

/**
 * Signals every process of the terminal session the shell leads. Killing the shell's process group is not enough: a
 * job-control shell puts each job (`sleep 300 &`) in a group of its own, and the kernel's hang-up on the leader's
 * exit reaches only the foreground group. Linux /proc; a process that left the session (setsid, a daemon) is not
 * found — that would need a cgroup per shell. Elsewhere, or when /proc cannot be read, the process group is signalled.
 */
export function killSession(leader: number, signal: NodeJS.Signals, proc = '/proc'): void {
  for (const target of [-leader, ...sessionMembers(leader, proc)]) {
    try {
      process.kill(target, signal);
    } catch {
      // gone already
    }
  }
}

/** Pids whose session id (field 6 of /proc/<pid>/stat) is `sid`. */
export function sessionMembers(sid: number, proc = '/proc'): number[] {
  const out: number[] = [];
  let names: string[];
  try {
    names = readdirSync(proc);
  } catch {
    return out;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`${proc}/${name}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // "pid (comm) state ppid pgrp session …": comm may hold spaces and parentheses, so count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[3]) === sid) out.push(Number(name));
  }
  return out;
}
