/** Test-only helpers: token check configs with defaults filled, one-off probe runs, results by subject. */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ProbeContext } from '../../../core/checks/plugin.js';
import type { ProbeResult } from '../../../core/checks/result.js';
import { checkConfigWithDefaults } from '../../../core/config/check-config.js';
import { Secret } from '../../../core/config/secret.js';
import { memoryState, neverAborted, testContext } from '../../shared/testing.js';
import { plugin } from '../index.js';
import type { TokenConfig } from '../schema.js';

export const tokenConfig = (tokens: Record<string, unknown>[]): TokenConfig => checkConfigWithDefaults(plugin, { tokens });

/** A config whose first token runs the sign test with `pin` (as the loader would hand it over: a Secret). */
export function signTestConfig(token: Record<string, unknown>, pin: string, signTest: Record<string, unknown> = {}): TokenConfig {
  const cfg = tokenConfig([{ ...token, signTest: { enabled: true, ...signTest } }]);
  cfg.tokens[0]!.signTest!.pin = new Secret(pin, 'test') as never;
  return cfg;
}

let stateDir: string | undefined;

/** One state directory per test file, as the agent's: contexts with the same check id share its login journal. */
export function tokenStateDir(): string {
  return (stateDir ??= mkdtempSync(path.join(tmpdir(), 'gp-token-state-')));
}

/** A context with its own check id (the login journal is keyed by it), in-memory persistent state and a state dir. */
export function tokenContext(overrides: Partial<ProbeContext> = {}): ProbeContext {
  return testContext({ checkId: `token-test-${randomUUID()}`, state: memoryState(), stateDir: tokenStateDir(), ...overrides });
}

/** Removes the state directory, with the login markers (see login-journal.ts) the tests' failed logins left there. */
export function forgetLoginMarkers(): void {
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  stateDir = undefined;
}

export async function runOnce(cfg: TokenConfig, ctx = tokenContext()): Promise<ProbeResult[]> {
  const probe = plugin.createProbe(cfg, ctx);
  try {
    return await probe.run(neverAborted);
  } finally {
    await probe.close?.();
  }
}

export const bySubject = (results: ProbeResult[], subject: string): ProbeResult => {
  const r = results.find((x) => x.subject === subject);
  if (!r) throw new Error(`no result for "${subject}" among ${results.map((x) => x.subject).join(', ')}`);
  return r;
};

export const signal = (r: ProbeResult, cfg: TokenConfig) => (r.status === 'fail' ? plugin.rules(r, cfg) : null);
