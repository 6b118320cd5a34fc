import { access, constants, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { UserEntry } from '../../../platform/users.js';
import type { ShellPolicy } from '../../policy/schema.js';
import type { KindRefusal } from '../types.js';

/** util-linux's setpriv (Debian: util-linux, essential): drops to the account with the account's own groups. */
export const SETPRIV = '/usr/bin/setpriv';

export interface Launch {
  file: string;
  args: string[];
  /** The program the engineer's shell is (argv[0] after setpriv): SHELL and the recording's header. */
  shell: string;
  cwd: string;
}

const NO_LOGIN = new Set(['nologin', 'false']);

const executable = (p: string) => access(p, constants.X_OK).then(() => true, () => false);
const isDir = (p: string) => stat(p).then((s) => s.isDirectory(), () => false);

/**
 * What to start. When the agent is root it starts setpriv, which sets the uid, the gid and the account's
 * supplementary groups (initgroups) and then runs the shell: node-pty's own uid/gid options call setgid and setuid
 * only, so the shell would keep the agent's supplementary groups. Without root the shell is the agent's own account
 * and is started directly.
 */
export async function planLaunch(policy: ShellPolicy, account: UserEntry, switchUser: boolean): Promise<Launch | KindRefusal> {
  const command = policy.command ?? [account.shell || '/bin/sh'];
  const program = command[0]!;
  if (!policy.command && NO_LOGIN.has(basename(program))) {
    return { refuse: 'denied', detail: `account "${account.name}" has no login shell (${program}); set assist.shell.command, e.g. ["/bin/bash"]` };
  }
  if (!(await executable(program))) return { refuse: 'error', detail: `the shell program ${program} does not exist or is not executable` };
  let cwd = policy.cwd ?? account.home;
  if (!(await isDir(cwd))) {
    if (policy.cwd !== undefined) return { refuse: 'error', detail: `assist.shell.cwd ${policy.cwd} is not a directory` };
    cwd = '/'; // an account without a home (nobody: /nonexistent)
  }
  if (!switchUser) return { file: program, args: command.slice(1), shell: program, cwd };
  if (!(await executable(SETPRIV))) {
    return { refuse: 'error', detail: `${SETPRIV} (util-linux) is missing: it is needed to start the shell as "${account.name}" with that account's groups only` };
  }
  const ids = [`--reuid=${account.uid}`, `--regid=${account.gid}`, '--init-groups'];
  return { file: SETPRIV, args: [...ids, '--', ...command], shell: program, cwd };
}
