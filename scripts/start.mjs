#!/usr/bin/env node
// `npm start`: the demo. Installs what is missing (Debian packages, npm ci), builds, and runs the agent with the
// demo's parts (scripts/demo/components/*.mjs) on loopback, state under .tmp/demo. Ctrl-C stops everything cleanly.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sh = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

/** Newest modification time under a folder, to rebuild only when sources changed. */
function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

sh('bash', ['scripts/setup-system.sh', 'test']); // the demo uses the same real parts as the tests
if (!existsSync(join(root, 'node_modules'))) sh('npm', ['ci']);
const built = join(root, 'dist/agent/cli/main.js');
const sources = ['agent', 'firmware-bridge', 'desk', 'provisioning'].filter((d) => existsSync(join(root, d)));
if (!existsSync(built) || Math.max(...sources.map((d) => newest(join(root, d)))) > statSync(built).mtimeMs) {
  sh('npm', ['run', '--silent', 'build']);
}
await import('./demo/run-demo.mjs');
