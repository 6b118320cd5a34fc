import { spawn } from 'node:child_process';
import { forkEntry } from '../core/isolation/child-process.js';
import type { TokenFlags } from '../checks/token/flags.js';

export interface ScannedToken {
  label: string;
  serial: string;
  manufacturer: string;
  model: string;
  flags: TokenFlags;
}

export type ModuleScan = { ok: true; tokens: ScannedToken[] } | { ok: false; error: string };

/**
 * The tokens a PKCS#11 module sees, read in a child process (token-scan-child.ts) with a deadline: a vendor module
 * that crashes, hangs or prints to stdout cannot take the wizard or doctor with it. Never logs in.
 */
export async function scanModule(module: string, options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<ModuleScan> {
  const { modulePath, execArgv } = forkEntry(import.meta.url, 'token-scan-child');
  const child = spawn(process.execPath, [...execArgv, modulePath, module], { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err = (err + c).slice(-2000)));
  const timeoutMs = options.timeoutMs ?? 15_000;
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('close', (c, s) => resolve([c, s])));
  clearTimeout(timer);
  // Vendor libraries chatter on stdout: the answer is the last JSON object printed.
  const json = out.slice(out.lastIndexOf('{"ok"'));
  try {
    return JSON.parse(json) as ModuleScan;
  } catch {
    const why = signal === 'SIGKILL' ? `no answer within ${timeoutMs / 1000} s (the module hangs?)` : signal ? `the module crashed (${signal})` : `exit ${code}`;
    return { ok: false, error: `${module}: ${why}${err.trim() ? `: ${err.trim().split('\n').slice(-3).join(' / ')}` : ''}` };
  }
}
