#!/usr/bin/env node
// `npm test`: sets up what the tests need, type-checks, builds the CLI the end-to-end tests run, then runs vitest.
// System packages (socat, softhsm2, pcscd, chromium ...) are installed by scripts/setup-system.sh when missing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    console.error(`\n${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
};

run('bash', ['scripts/setup-system.sh', 'test']);
// Under CI a missing or hand-made tool stops the run here, one line each; elsewhere the affected tests skip.
const doctor = spawnSync('bash', ['scripts/doctor-test-env.sh', '--quiet'], { cwd: root, stdio: 'inherit' });
if (doctor.status !== 0 && process.env.CI === 'true') process.exit(1);
if (!existsSync(join(root, 'node_modules'))) run('npm', ['ci']);
run('npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
run('node', ['scripts/build-web.mjs', '--check']); // the page's browser code: its own tsconfigs (DOM, no Node)
run('npm', ['run', '--silent', 'build']);
run('npx', ['vitest', 'run', ...process.argv.slice(2)]);
