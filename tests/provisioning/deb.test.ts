/**
 * The .deb as a terminal would receive it: built by provisioning/deb/build-deb.mjs (npm run package), inspected with
 * dpkg-deb, its units checked by systemd-analyze, then extracted and run on its own bundled runtime: `guardpost check`,
 * and `guardpost run` connected to the reference desk, itself run from the package. Loopback only.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'gp-deb-test-'));
const extracted = join(work, 'root');
const children: ChildProcess[] = [];
let deb = '';

const sh = (cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}) =>
  spawnSync(cmd, args, { encoding: 'utf8', cwd: opts.cwd ?? work, env: { ...process.env, ...opts.env }, maxBuffer: 64 << 20 });
/** The packaged program on the packaged runtime, as /usr/bin/guardpost runs it. */
const packaged = (args: string[], env: NodeJS.ProcessEnv = {}) => sh(join(extracted, 'usr/lib/guardpost/runtime/bin/node'), [join(extracted, 'usr/lib/guardpost/bin/guardpost.js'), ...args], { env });

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

beforeAll(() => {
  const r = sh(process.execPath, [join(ROOT, 'provisioning/deb/build-deb.mjs'), '--out', join(work, 'out')], { cwd: ROOT });
  expect(r.stderr).not.toContain('Error');
  expect(r.status).toBe(0);
  deb = r.stdout.trim().split('\n').pop()!;
  expect(sh('dpkg-deb', ['-x', deb, extracted]).status).toBe(0);
}, 240_000);

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

describe('the .deb', () => {
  it('says what it is, what it needs, and keeps /etc/default/guardpost as a conffile', () => {
    const info = sh('dpkg-deb', ['--info', deb]).stdout;
    expect(info).toMatch(/Package: guardpost\n/);
    expect(info).toMatch(/Architecture: (amd64|arm64)\n/);
    expect(info).toMatch(/Depends: adduser, .*libpcsclite1/);
    for (const f of ['postinst', 'prerm', 'postrm', 'conffiles', 'control']) expect(info).toContain(` ${f}`);
    const conffiles = sh('dpkg-deb', ['-I', deb, 'conffiles']).stdout;
    expect(conffiles.trim()).toBe('/etc/default/guardpost');
  });

  it('carries the program, its runtime and its services, all root-owned; no config, no development modules', () => {
    const listing = sh('dpkg-deb', ['--contents', deb]).stdout;
    const paths = listing.split('\n').filter(Boolean).map((l) => l.split(/\s+/).slice(5).join(' '));
    for (const p of [
      './usr/bin/guardpost',
      './usr/lib/guardpost/runtime/bin/node',
      './usr/lib/guardpost/bin/guardpost.js',
      './usr/lib/guardpost/dist/agent/cli/main.js',
      './lib/systemd/system/guardpost.service',
      './lib/systemd/system/guardpost-desk.service',
      './etc/default/guardpost',
      './usr/share/doc/guardpost/copyright',
    ]) {
      expect(paths).toContain(p);
    }
    expect(paths.some((p) => p.includes('/node_modules/pkcs11js/') && p.endsWith('.node'))).toBe(true);
    for (const dev of ['typescript', 'vitest', 'tsx', 'playwright-core', '@types']) expect(paths.some((p) => p.startsWith(`./usr/lib/guardpost/node_modules/${dev}/`))).toBe(false);
    expect(paths.some((p) => p.startsWith('./etc/guardpost'))).toBe(false);
    expect(paths.some((p) => /prebuilds\/(win32|darwin)/.test(p))).toBe(false);
    for (const line of listing.split('\n').filter(Boolean)) expect(line.split(/\s+/)[1]).toBe('root/root');
  });

  it('passes lintian without errors; native modules stripped and 0644, nothing under the program executable but its runtime', () => {
    const r = sh('lintian', ['--no-tag-display-limit', deb]);
    const errors = r.stdout.split('\n').filter((l) => l.startsWith('E:'));
    expect(errors).toEqual([]);
    // The override is used (the bundled runtime's zlib), not dead: lintian would warn of an unused one.
    expect(r.stdout).not.toContain('unused-override');
    const program = join(extracted, 'usr/lib/guardpost');
    const listing = sh('find', [program, '-type', 'f', '-perm', '/111']).stdout.split('\n').filter(Boolean);
    expect(listing).toEqual([join(program, 'runtime/bin/node')]);
    const pkcs11 = join(program, 'node_modules/pkcs11js/build/Release/pkcs11.node');
    expect(statSync(pkcs11).mode & 0o777).toBe(0o644);
    expect(sh('readelf', ['-S', pkcs11]).stdout).not.toContain('.symtab');
  });

  it('its maintainer scripts are valid sh, and its units pass systemd-analyze verify', () => {
    const ctl = join(work, 'ctl');
    expect(sh('dpkg-deb', ['-e', deb, ctl]).status).toBe(0);
    for (const s of ['postinst', 'prerm', 'postrm']) {
      const r = sh('sh', ['-n', join(ctl, s)]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
    // --root: ExecStart's runtime resolves inside the extracted package, as it would on the terminal; the system's own
    // units (sysinit.target, network-online.target, ...) are copied in beside it.
    cpSync('/lib/systemd/system', join(extracted, 'usr/lib/systemd/system'), { recursive: true, dereference: false, verbatimSymlinks: true });
    const r = sh('systemd-analyze', ['verify', `--root=${extracted}`, join(extracted, 'lib/systemd/system/guardpost.service'), join(extracted, 'lib/systemd/system/guardpost-desk.service')]);
    const problems = r.stderr.split('\n').filter((l) => l.includes('guardpost') && !/Failed to (put bus name|connect to bus)|Cannot add dependency job/.test(l));
    expect(problems).toEqual([]);
  });

  it('runs `guardpost check` on its own runtime', () => {
    const r = packaged(['check', '--defaults', '--json'], { GUARDPOST_STATE_DIR: join(work, 'check-state') });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { findings: { check: string }[] };
    expect(new Set(out.findings.map((f) => f.check))).toEqual(new Set(['disk', 'memory', 'clock']));
  });

  it('runs the desk and an agent from the package: the agent connects and the desk lists it online', async () => {
    const deskDir = join(work, 'desk');
    const [agentsPort, apiPort] = [await freePort(), await freePort()];
    const init = packaged(['desk', 'init', '--dir', deskDir, '--agents-port', String(agentsPort), '--api-port', String(apiPort), '--listen', '127.0.0.1']);
    expect(init.status, init.stderr).toBe(0);
    const issued = packaged(['desk', 'issue', '--agent', 'H44010600123-POS-PKG', '--dir', deskDir, '--out', join(work, 'agent-cert')]);
    expect(issued.status, issued.stderr).toBe(0);
    const { desk } = JSON.parse(issued.stdout.slice(issued.stdout.indexOf('{'))) as { desk: Record<string, unknown> };
    expect(packaged(['desk-cli', 'token', 'create', 'pkg-test', '--save', '--dir', deskDir]).status).toBe(0);

    const node = join(extracted, 'usr/lib/guardpost/runtime/bin/node');
    const bin = join(extracted, 'usr/lib/guardpost/bin/guardpost.js');
    const deskProc = spawn(node, [bin, 'desk', 'run', '--dir', deskDir], { stdio: 'ignore' });
    children.push(deskProc);
    const config = join(work, 'agent.json');
    writeFileSync(
      config,
      JSON.stringify({
        site: { fixmedins_code: 'H44010600123', fixmedins_name: '打包测试医院', mdtrtarea_admvs: '440106', terminalId: 'POS-PKG' },
        checks: { clock: {} },
        desk: { ...desk, url: `wss://127.0.0.1:${agentsPort}/agent` },
        web: { enabled: false },
        logging: { file: null, stdout: false },
        storage: { dir: join(work, 'agent-state') },
      }),
    );
    const agentProc = spawn(node, [bin, 'run', '--config', config], { stdio: 'ignore' });
    children.push(agentProc);

    let listed: { id: string; online: boolean }[] = [];
    for (let i = 0; i < 60 && !listed.some((a) => a.online); i++) {
      await new Promise((r) => setTimeout(r, 250));
      const r = packaged(['desk-cli', 'agents', '--json', '--dir', deskDir]);
      if (r.status === 0) listed = (JSON.parse(r.stdout) as { agents: { id: string; online: boolean }[] }).agents;
    }
    expect(listed).toContainEqual(expect.objectContaining({ id: 'H44010600123-POS-PKG', online: true }));
    agentProc.kill('SIGTERM');
    const code = await new Promise((resolve) => agentProc.once('exit', (c) => resolve(c)));
    expect(code).toBe(0);
  }, 60_000);

  it('scripts/install.sh lays the package out where a .deb cannot be used: --dry-run changes nothing; uninstall keeps config, --purge removes it', () => {
    const scratch = join(work, 'scratch');
    const install = (args: string[]) => sh('sh', [join(ROOT, 'scripts/install.sh'), '--from', extracted, '--root', scratch, ...args]);
    const dry = install(['--dry-run']);
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain(`+ cp -a ${extracted}/usr/lib/guardpost ${scratch}/usr/lib/guardpost.new`);
    expect(dry.stdout).toContain(`+ install -m 0755 ${extracted}/usr/bin/guardpost ${scratch}/usr/bin/guardpost`);
    expect(existsSync(scratch)).toBe(false);

    const real = install([]);
    expect(real.stderr).toBe('');
    expect(real.status).toBe(0);
    expect(statSync(join(scratch, 'usr/bin/guardpost')).mode & 0o777).toBe(0o755);
    expect(statSync(join(scratch, 'var/lib/guardpost')).mode & 0o777).toBe(0o750);
    const version = sh(join(scratch, 'usr/lib/guardpost/runtime/bin/node'), [join(scratch, 'usr/lib/guardpost/bin/guardpost.js'), 'version']);
    expect(version.status).toBe(0);
    // The service's environment file is the operator's once it exists; a reinstall keeps it.
    writeFileSync(join(scratch, 'etc/default/guardpost'), 'GUARDPOST_CONFIG=/etc/guardpost/site.json\n');
    writeFileSync(join(scratch, 'etc/guardpost/config.json'), '{}\n', { mode: 0o644 });
    const again = install([]);
    expect(again.stdout).toContain('exists: kept');
    expect(readFileSync(join(scratch, 'etc/default/guardpost'), 'utf8')).toContain('site.json');
    expect(statSync(join(scratch, 'etc/guardpost/config.json')).mode & 0o777).toBe(0o640);

    const uninstall = (args: string[]) => sh('sh', [join(ROOT, 'scripts/uninstall.sh'), '--root', scratch, ...args]);
    expect(uninstall(['--dry-run', '--purge']).stdout).toContain(`+ rm -rf ${scratch}/etc/guardpost`);
    expect(existsSync(join(scratch, 'usr/lib/guardpost'))).toBe(true);
    expect(uninstall([]).status).toBe(0);
    expect(existsSync(join(scratch, 'usr/lib/guardpost'))).toBe(false);
    expect(existsSync(join(scratch, 'etc/guardpost/config.json'))).toBe(true);
    expect(uninstall(['--purge']).status).toBe(0);
    expect(existsSync(join(scratch, 'etc/guardpost'))).toBe(false);
    expect(existsSync(join(scratch, 'var/lib/guardpost'))).toBe(false);
  });
});
