import { createPasswdUsers } from './linux-users.js';
import type { UserDirectory, UserEntry } from './types.js';

export type { UserDirectory, UserEntry } from './types.js';


/** The account directory of an OS as Node names it; throws naming the OS when there is none yet. */
export function usersFor(nodePlatform: NodeJS.Platform | string): UserDirectory {
  if (nodePlatform === 'win32') {
    const none = (): Promise<UserEntry | undefined> =>
      Promise.reject(new Error('looking up local accounts is not implemented on Windows yet (no assistance shell there)'));
    return { byName: none, byUid: none };
  }
  return createPasswdUsers();
}
