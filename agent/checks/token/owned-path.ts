import type { Stats } from 'node:fs';

/**
 * Whether a file or directory may hold the wrong-PIN guard: it must be what it claims to be (a symbolic link is
 * not), owned by the user the agent runs as, and writable by nobody else. Anyone else who could write it could
 * delete a marker and so allow a second wrong PIN, which brings a USBKey one step closer to locking.
 * Windows has neither POSIX owners nor modes here: its ACLs come from the installer's directory.
 */
export function ownershipProblem(path: string, st: Stats, kind: 'directory' | 'file'): string | null {
  if (st.isSymbolicLink()) return `${path} is a symbolic link`;
  if (kind === 'directory' && !st.isDirectory()) return `${path} is not a directory`;
  if (kind === 'file' && !st.isFile()) return `${path} is not a regular file`;
  if (process.platform === 'win32' || typeof process.geteuid !== 'function') return null;
  const uid = process.geteuid();
  if (st.uid !== uid) return `${path} is owned by uid ${st.uid}, not by the agent's user (uid ${uid})`;
  if ((st.mode & 0o022) !== 0) return `${path} is writable by group or others (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')})`;
  return null;
}
