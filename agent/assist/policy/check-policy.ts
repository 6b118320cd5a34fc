import type { AssistPolicy } from './schema.js';
import { posix, win32 } from 'node:path';
import { parseTarget } from './targets.js';

/**
 * What the schema cannot say about an `assist` section the schema accepted: every allowlist entry parses as one
 * host:port, and a window has a length (from ≠ to; from > to is an overnight window, which is allowed).
 * Non-loopback targets are allowed only as exact entries: the list has no wildcards, ranges or "any interface".
 * The shell's program and working directory are absolute paths, and its user is not "root" (uid 0 under another name
 * is refused when a shell opens).
 */
export interface PolicyProblem {
  /** JSON pointer of the offending value, for the loader to locate (line, column). */
  pointer: string;
  path: string;
  message: string;
}

// Problems come back by JSON pointer, so this module needs nothing of the config loader (which imports it).
export function assistPolicyProblems(policy: AssistPolicy): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const at = (pointer: string, path: string, message: string) => problems.push({ pointer, path, message });
  policy.forwardTargets.forEach((entry, i) => {
    const t = parseTarget(entry);
    if (typeof t === 'string') at(`/assist/forwardTargets/${i}`, `assist.forwardTargets[${i}]`, `"${entry}": ${t}`);
  });
  policy.maintenanceWindows.forEach((w, i) => {
    if (w.from === w.to) {
      at(`/assist/maintenanceWindows/${i}/to`, `assist.maintenanceWindows[${i}].to`, `equals "from" (${w.from}): a window needs a length (an end earlier than the start runs overnight)`);
    }
  });
  // The shell's PATH is a fixed default, so the program is named by an absolute path: no look-up decides what runs.
  const shell = policy.shell ?? {};
  const absolute = (p: string) => posix.isAbsolute(p) || win32.isAbsolute(p);
  if (shell.command && !absolute(shell.command[0]!)) {
    at('/assist/shell/command/0', 'assist.shell.command[0]', `"${shell.command[0]}" is not an absolute path; name the program in full (e.g. /bin/bash)`);
  }
  if (shell.cwd !== undefined && !absolute(shell.cwd)) at('/assist/shell/cwd', 'assist.shell.cwd', `"${shell.cwd}" is not an absolute path`);
  if (shell.user === 'root') at('/assist/shell/user', 'assist.shell.user', 'a shell never runs as root; name an unprivileged account');
  const names = new Map<string, number>();
  policy.maintenanceWindows.forEach((w, i) => {
    const first = names.get(w.name);
    if (first !== undefined) at(`/assist/maintenanceWindows/${i}/name`, `assist.maintenanceWindows[${i}].name`, `"${w.name}" is also the name of window ${first}; the audit names windows, so each needs its own`);
    else names.set(w.name, i);
  });
  return problems;
}
