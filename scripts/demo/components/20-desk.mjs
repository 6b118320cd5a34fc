// Demo part: the reference central desk beside the agent, on loopback. `guardpost desk init` makes its CA and
// server certificate (kept across demo runs: the agent trusts that CA), `guardpost desk issue` the agent's client
// certificate, `guardpost desk-cli token create` an API token saved in the desk directory; then the desk runs and
// the agent connects to it. Watch faults arrive: npx guardpost desk-cli faults --dir <desk dir>
// Remote assistance is on, as a clinic's owner would set it for a trial: diag and forward (to the agent's own page,
// so an engineer can see what the cashier sees), shell off; every request waits for Approve on the page.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, openSync, readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const listening = (port) =>
  new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => (s.destroy(), resolve(true)));
    s.on('error', () => resolve(false));
  });

export async function setup({ root, dir, config }) {
  const bin = join(root, 'bin', 'guardpost.js');
  const guardpost = (args) => {
    const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`guardpost ${args.join(' ')}: ${(r.stderr || r.stdout).trim().split('\n').pop()}`);
    return r.stdout;
  };
  const deskDir = join(dir, 'desk');
  if (!existsSync(join(deskDir, 'desk.json'))) {
    const [agentsPort, apiPort] = [await freePort(), await freePort()];
    guardpost(['desk', 'init', '--dir', deskDir, '--name', 'localhost', '--agents-port', String(agentsPort), '--api-port', String(apiPort), '--listen', '127.0.0.1']);
  }
  const deskConfig = JSON.parse(readFileSync(join(deskDir, 'desk.json'), 'utf8'));
  const agentId = config.agent?.id ?? `${config.site.fixmedins_code}-${config.site.terminalId}`;
  const { desk } = JSON.parse(guardpost(['desk', 'issue', '--dir', deskDir, '--agent', agentId]));
  if (!existsSync(join(deskDir, 'cli-token'))) guardpost(['desk-cli', 'token', 'create', 'demo-engineer', '--dir', deskDir, '--save']);

  const log = openSync(join(dir, 'desk-console.log'), 'a');
  const child = spawn(process.execPath, [bin, 'desk', '--dir', deskDir], { cwd: root, stdio: ['ignore', log, log] });
  const port = deskConfig.agents.port;
  for (let i = 0; !(await listening(port)); i++) {
    if (child.exitCode !== null || i > 100) throw new Error(`the desk did not start (see ${join(dir, 'desk-console.log')})`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const pageTarget = `127.0.0.1:${config.web?.port ?? 8620}`;
  return {
    desk: { ...desk, url: `wss://localhost:${port}/agent`, unreachable: { minorAfterMinutes: 1 } },
    assist: { enabled: true, kinds: { diag: true, forward: true, shell: false }, forwardTargets: [pageTarget] },
    notes: [
      `desk at wss://localhost:${port}/agent (data in ${deskDir}); see faults arrive: npx guardpost desk-cli faults --dir ${deskDir}`,
      `acknowledge one: npx guardpost desk-cli ack <fault id> --dir ${deskDir}   (it shows as acknowledged on the agent's page)`,
      `remote assistance: npx guardpost desk-cli diag ${agentId} status --reason 演示 --dir ${deskDir}   (approve it on the page)`,
      `  or a forward to the page: npx guardpost desk-cli forward ${agentId} ${pageTarget} --listen 127.0.0.1:18620 --reason 演示 --dir ${deskDir}`,
      `  the audit: npx guardpost desk-cli audit ${agentId} --dir ${deskDir}; on the terminal: npx guardpost audit verify --config ${join(dir, '..', 'config.json')}`,
    ],
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
