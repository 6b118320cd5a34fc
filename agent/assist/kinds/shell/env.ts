import type { UserEntry } from '../../../platform/users.js';

/** A fixed PATH: the agent's own (which may name its install directories) is not passed on. */
export const SHELL_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface ShellEnvInput {
  account: UserEntry;
  shell: string;
  term: string;
  engineer: string;
  session: string;
}

/** Control characters have no place in an environment value the engineer's name ends up in. */
const clean = (s: string) => s.replace(/[\u0000-\u001f\u007f]/g, ' ');

/**
 * The shell's whole environment, built from nothing: the agent's own may hold secrets (PINs, proxy passwords) and is
 * never inherited. GUARDPOST_ENGINEER tells the terminal's own tools who is working (cf. MeshCentral #7671).
 */
export function shellEnv(i: ShellEnvInput): Record<string, string> {
  return {
    PATH: SHELL_PATH,
    HOME: i.account.home || '/',
    USER: i.account.name,
    LOGNAME: i.account.name,
    SHELL: i.shell,
    TERM: i.term,
    LANG: 'C.UTF-8',
    GUARDPOST_ENGINEER: clean(i.engineer),
    GUARDPOST_SESSION: i.session,
  };
}
