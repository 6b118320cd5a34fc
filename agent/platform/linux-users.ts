import { readFile } from 'node:fs/promises';
import type { UserDirectory, UserEntry } from './types.js';

/**
 * Accounts from the passwd file (Debian, UOS, Kylin). Read on every look-up: the file is small, and an account added
 * or changed after the agent started must count. Accounts only in LDAP/SSSD are not seen; a shell user is a local
 * account on a till PC.
 */
export function createPasswdUsers(file = '/etc/passwd'): UserDirectory {
  const all = async () => parsePasswd(await readFile(file, 'utf8'));
  return {
    byName: async (name) => (await all()).find((u) => u.name === name),
    byUid: async (uid) => (await all()).find((u) => u.uid === uid),
  };
}

/** name:password:uid:gid:gecos:home:shell per line; comments, NIS "+" lines and malformed lines are skipped. */
export function parsePasswd(text: string): UserEntry[] {
  const out: UserEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#') || line.startsWith('+') || line.startsWith('-')) continue;
    const f = line.replace(/\r$/, '').split(':');
    if (f.length < 7) continue;
    const [name, , uid, gid, , home, shell] = f as [string, string, string, string, string, string, string];
    if (!name || !/^\d+$/.test(uid) || !/^\d+$/.test(gid)) continue;
    out.push({ name, uid: Number(uid), gid: Number(gid), home, shell });
  }
  return out;
}
