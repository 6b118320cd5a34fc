import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort, tmp } from './harness.js';

/** A real HTTP CONNECT proxy (tinyproxy, a Debian package installed by scripts/setup-system.sh) on loopback. */
export interface Tinyproxy {
  port: number;
  /** CONNECT requests it logged so far. */
  connects(): number;
  stop(): Promise<void>;
}

export async function startTinyproxy(auth?: { user: string; password: string }): Promise<Tinyproxy> {
  if (spawnSync('which', ['tinyproxy']).status !== 0) throw new Error('tinyproxy is not installed: run bash scripts/setup-system.sh test');
  const dir = tmp('gp-tinyproxy-');
  const port = await freePort();
  const log = join(dir, 'tinyproxy.log');
  const conf = [
    `Port ${port}`,
    'Listen 127.0.0.1',
    'Timeout 60',
    `LogFile "${log}"`,
    'LogLevel Connect',
    'MaxClients 50',
    'Allow 127.0.0.1',
    ...(auth ? [`BasicAuth ${auth.user} ${auth.password}`] : []),
  ];
  if (process.getuid?.() === 0) conf.push('User nobody', 'Group nogroup');
  writeFileSync(join(dir, 'tinyproxy.conf'), `${conf.join('\n')}\n`);
  writeFileSync(log, '');
  // tinyproxy drops to nobody when started as root: it must reach its log.
  chmodSync(dir, 0o755);
  chmodSync(log, 0o666);
  const child: ChildProcess = spawn('tinyproxy', ['-d', '-c', join(dir, 'tinyproxy.conf')], { stdio: 'ignore' });
  const end = Date.now() + 10_000;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port }, () => (s.destroy(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (up) break;
    if (Date.now() > end || child.exitCode !== null) throw new Error(`tinyproxy did not start on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    connects: () => (readFileSync(log, 'utf8').match(/Request \(file descriptor \d+\): CONNECT /g) ?? []).length,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
