import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // forks (the default) on purpose: native PKCS#11 modules read the real process environment.
    pool: 'forks',
    include: ['agent/**/*.test.ts', 'firmware-bridge/**/*.test.ts', 'provisioning/**/*.test.ts', 'desk/**/*.test.ts', 'tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
