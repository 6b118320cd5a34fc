import os from 'node:os';
import type { UserDirectory, UserEntry } from '../../../platform/users.js';
import type { ShellPolicy } from '../../policy/schema.js';
import type { KindRefusal } from '../types.js';

export type AccountDecision = { ok: true; account: UserEntry; switchUser: boolean } | ({ ok: false } & KindRefusal);

const ROOT = 'a shell never runs as root (uid 0): set assist.shell.user to an unprivileged local account';

/**
 * Whose shell it is. Never uid 0: a configured account that is root under any name is refused, and so is an agent
 * running as root with no account configured. An agent that is not root can only start a shell as itself.
 */
export async function resolveAccount(policy: ShellPolicy, users: UserDirectory, selfUid: number | undefined): Promise<AccountDecision> {
  const no = (refuse: KindRefusal['refuse'], detail: string): AccountDecision => ({ ok: false, refuse, detail });
  if (selfUid === undefined) return no('denied', 'an assistance shell is not available on this operating system yet');
  if (policy.user !== undefined) {
    let entry: UserEntry | undefined;
    try {
      entry = await users.byName(policy.user);
    } catch (err) {
      return no('error', `cannot look up assist.shell.user "${policy.user}": ${(err as Error).message}`);
    }
    if (!entry) return no('error', `assist.shell.user "${policy.user}" is not a local account on this machine`);
    if (entry.uid === 0) return no('denied', `assist.shell.user "${policy.user}" has uid 0; ${ROOT}`);
    if (selfUid !== 0 && entry.uid !== selfUid) {
      return no('denied', `the agent runs as uid ${selfUid}, not root, so it can start a shell only as itself; set assist.shell.user to that account or leave it unset`);
    }
    return { ok: true, account: entry, switchUser: selfUid === 0 };
  }
  if (selfUid === 0) return no('denied', `no assist.shell.user is set and the agent runs as root; ${ROOT}`);
  const own = await users.byUid(selfUid).catch(() => undefined);
  if (own) return { ok: true, account: own, switchUser: false };
  const info = os.userInfo();
  return { ok: true, account: { name: info.username, uid: info.uid, gid: info.gid, home: info.homedir, shell: info.shell ?? '' }, switchUser: false };
}
