import { chmodSync, chownSync, renameSync, writeFileSync } from 'node:fs';

/**
 * Writes a file through a temporary name in the same directory, so a crash or a full disk leaves the old file or the
 * new one, never half of one. For files a person or installer owns (the config, an identity), written once.
 */
export function writeFileAtomicSync(path: string, text: string, mode: number, owner?: { uid: number; gid: number }): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode);
  if (owner) chownSync(tmp, owner.uid, owner.gid);
  renameSync(tmp, path);
}
