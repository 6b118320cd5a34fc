import type { Secret } from '../../core/config/secret.js';

/** A variable's value as configured: plain text, or a Secret read from the agent's environment or a file. */
export type EnvValue = string | Secret;

/**
 * Runs `fn` with the module's variables set in this (isolated child's) process environment, then puts back what
 * was there, so one module's settings never reach another's. Node's process.env writes through to the C
 * environment, where the vendor module's getenv reads them. Values are revealed only here, never logged.
 */
export function withEnvironment<T>(vars: ReadonlyMap<string, EnvValue>, fn: () => T): T {
  if (vars.size === 0) return fn();
  const saved = new Map<string, string | undefined>();
  for (const [name, value] of vars) {
    saved.set(name, process.env[name]);
    process.env[name] = typeof value === 'string' ? value : value.reveal();
  }
  try {
    return fn();
  } finally {
    for (const [name, old] of saved) {
      if (old === undefined) delete process.env[name];
      else process.env[name] = old;
    }
  }
}
