// Runs the demo: every component in ./components sets up its part (a desk, an emulated reader, a token, an endpoint)
// and contributes config; the agent then runs on the merged config. Components stop in reverse order on Ctrl-C.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const demoDir = join(root, '.tmp', 'demo');
mkdirSync(demoDir, { recursive: true });

const config = {
  site: {
    fixmedins_code: 'P44010600123',
    fixmedins_name: '演示大药房（天河店） demo pharmacy',
    mdtrtarea_admvs: '440106',
    terminalId: hostname().replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 64) || 'POS-01',
  },
  checks: { disk: {}, memory: {}, clock: {} },
  logging: { file: join(demoDir, 'agent.log'), level: 'info' },
  storage: { dir: join(demoDir, 'state') },
};
const env = { ...process.env };
const started = [];
const notes = [];

const componentsDir = join(dirname(fileURLToPath(import.meta.url)), 'components');
for (const file of readdirSync(componentsDir).filter((f) => f.endsWith('.mjs')).sort()) {
  const component = await import(join(componentsDir, file));
  const dir = join(demoDir, file.replace(/\.mjs$/, ''));
  mkdirSync(dir, { recursive: true });
  try {
    const part = await component.setup({ root, dir, config });
    if (!part) continue; // the component is not available on this machine; it said why
    Object.assign(config.checks, part.checks ?? {});
    for (const key of ['desk', 'web', 'assist', 'inhibitRules']) if (part[key]) config[key] = part[key];
    Object.assign(env, part.env ?? {});
    notes.push(...(part.notes ?? []));
    started.push({ file, stop: part.stop });
  } catch (err) {
    console.error(`demo: ${file} could not start (${err.message}); going on without it`);
  }
}

const configFile = join(demoDir, 'config.json');
writeFileSync(configFile, JSON.stringify(config, null, 2));
for (const n of notes) console.log(`demo: ${n}`);
console.log(`demo: configuration ${configFile}; try: npx guardpost status --config ${configFile}`);

const agent = spawn(process.execPath, [join(root, 'bin/guardpost.js'), 'run', '--config', configFile], { cwd: root, stdio: 'inherit', env });
let stopping = false;
async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  for (const c of started.reverse()) await c.stop?.().catch((e) => console.error(`demo: stopping ${c.file}: ${e.message}`));
  process.exit(code);
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => agent.kill(sig));
agent.on('exit', (code) => void stopAll(code ?? 0));
