#!/usr/bin/env node
// `npm start`: the demo. Installs what is missing, builds, and runs the agent on the embedded default
// configuration (host checks) with its state under .tmp/demo. Ctrl-C stops it cleanly.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync, readdirSync } from 'node:fs';
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
if (!existsSync(built) || newest(join(root, 'agent')) > statSync(built).mtimeMs) sh('npm', ['run', '--silent', 'build']);

const child = spawn(process.execPath, ['bin/guardpost.js', 'run', '--defaults', '--state-dir', '.tmp/demo', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
