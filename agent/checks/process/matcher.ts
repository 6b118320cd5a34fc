import type { ProcessInfo } from '../../platform/types.js';
import type { ResolvedProcess } from './schema.js';

export type ProcessMatcher = (p: ProcessInfo) => boolean;

/**
 * How one configured process is recognised. Windows names compare case-insensitively and "x" also matches
 * "x.exe"; Linux names are exact. Command-line patterns are case-insensitive on Windows only.
 */
export function matcherFor(spec: ResolvedProcess, index: number, windows: boolean): ProcessMatcher {
  if (spec.match === 'commandLine') {
    let re: RegExp;
    try {
      re = new RegExp(spec.name, windows ? 'i' : '');
    } catch (err) {
      throw new Error(`process: processes[${index}].name ("${spec.name}") is not a valid regular expression: ${(err as Error).message}`);
    }
    return (p) => re.test(p.commandLine);
  }
  if (!windows) return (p) => p.name === spec.name;
  const want = spec.name.toLowerCase();
  return (p) => {
    const have = p.name.toLowerCase();
    return have === want || have === `${want}.exe`;
  };
}

/** Subjects are the names: two entries with the same name would be one fault key. */
export function validateProcesses(specs: ResolvedProcess[]): void {
  const seen = new Map<string, number>();
  specs.forEach((s, i) => {
    const first = seen.get(s.name);
    if (first !== undefined) throw new Error(`process: processes[${i}] repeats the name "${s.name}" of processes[${first}]`);
    seen.set(s.name, i);
  });
}
