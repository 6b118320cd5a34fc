import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { socatAvailable } from '../transport/socat-pair.js';

/**
 * Test-only. Where socat is missing, socat-based tests skip; under CI a missing socat must fail instead of passing
 * silently, so this registers a test that fails exactly then. Returns whether socat is there.
 */
export function socatOrFailUnderCi(): boolean {
  const have = socatAvailable();
  it.runIf(!have && process.env.CI === 'true')('socat is installed (apt-get install socat)', () => {
    expect(have).toBe(true);
  });
  return have;
}

/** Test-only: a scratch directory for the test file (ptys, links) and cleanups run after each test, last first. */
export function scratchDir(prefix: string): { dir: () => string; cleanups: Array<() => unknown> } {
  let dir = '';
  const cleanups: Array<() => unknown> = [];
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return { dir: () => dir, cleanups };
}
