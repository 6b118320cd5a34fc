import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

// End-to-end: the real `guardpost` executable as an operator or a service manager runs it.
const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'guardpost.js');
const tmp = mkdtempSync(join(tmpdir(), 'gp-cli-'));
const SITE = { fixmedins_code: 'P44010600123', fixmedins_name: '示例大药房', mdtrtarea_admvs: '440106', terminalId: 'POS-01' };

function guardpost(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: tmp, ...env }, timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function writeConfig(name: string, doc: unknown): string {
  const file = join(tmp, name);
  writeFileSync(file, typeof doc === 'string' ? doc : JSON.stringify(doc, null, 2));
  return file;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

beforeAll(() => {
  if (!existsSync(join(root, 'dist/agent/cli/main.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does it)');
});

describe('guardpost CLI', () => {
  it('prints help and usage errors with the right exit codes', () => {
    expect(guardpost([]).code).toBe(64);
    const help = guardpost(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('config validate FILE');
    for (const cmd of ['run', 'check', 'status', 'config', 'docs']) {
      const r = guardpost([cmd, '--help']);
      expect(r.code, cmd).toBe(0);
      expect(r.out, cmd).toMatch(/usage/);
    }
    const bad = guardpost(['chekc']);
    expect(bad.code).toBe(64);
    expect(bad.err).toContain('unknown command "chekc"');
    expect(guardpost(['check', '--bogus']).code).toBe(64);
    expect(guardpost(['version']).out.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('config validate: exit 78 with every problem by path, expected and actual', () => {
    const file = writeConfig('bad.json', {
      site: { ...SITE, fixmedins_code: 'P123' },
      checks: { disk: { mounts: [{ path: '/' }, { path: '/data', majorPercent: '90%' }] }, disc: {} },
    });
    const r = guardpost(['config', 'validate', file]);
    expect(r.code).toBe(78);
    expect(r.err).toContain(`configuration error in ${file}`);
    expect(r.err).toContain('checks.disk.mounts[1].majorPercent (line 16, column 27): expected number 1..100, got "90%"');
    expect(r.err).toContain('site.fixmedins_code');
    expect(r.err).toContain('did you mean "disk"?');
    const missing = guardpost(['config', 'validate', join(tmp, 'nope.json')]);
    expect(missing.code).toBe(78);
    expect(missing.err).toContain('the file does not exist');
  });

  it('check, which loads only the checks its config names, still names every known type for a typo, and runs the ones named', () => {
    const typo = writeConfig('typo.json', { site: SITE, checks: { dsik: {}, till: { type: 'raeder' } } });
    const r = guardpost(['check', '--config', typo]);
    expect(r.code).toBe(78);
    expect(r.err).toContain('unknown check id "dsik" (no "type" given, and no check type has this name); did you mean "disk"?; known types: disk, memory, backup, logs, clock, process, token, settlement, certserver, cert, reader');
    expect(r.err).toContain('checks.till.type (line');
    expect(r.err).toContain('did you mean "reader"?');
    const ok = writeConfig('named.json', { site: SITE, checks: { clock: {}, mem: { type: 'memory' } }, storage: { dir: join(tmp, 'named-state') } });
    const run = guardpost(['check', '--json', '--config', ok]);
    expect(run.err).toBe('');
    const ids = [...new Set((JSON.parse(run.out) as { findings: { check: string }[] }).findings.map((f) => f.check))].sort();
    expect(ids).toEqual(['clock', 'mem']);
  });

  it('config example prints a complete configuration that validates as printed, on a fresh machine, for both profiles', () => {
    for (const profile of ['terminal', 'certserver']) {
      const ex = guardpost(['config', 'example', '--profile', profile]);
      expect(ex.code).toBe(0);
      const file = writeConfig(`example-${profile}.json`, ex.out);
      // an empty environment: no variable a secret could come from (not even PATH or HOME)
      const r = spawnSync(process.execPath, [bin, 'config', 'validate', file], { encoding: 'utf8', env: {}, timeout: 60_000 });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('OK');
    }
    expect(guardpost(['config', 'example', '--profile', 'server']).code).toBe(64);
  });

  it('check exits 0/1/2/3 by the worst finding, in Chinese by default and English on request', () => {
    const backups = mkdtempSync(join(tmp, 'backups-'));
    const cfg = (checks: unknown) => writeConfig(`check-${Math.random()}.json`, { site: SITE, checks });
    // every real filesystem is more than 1 % used: thresholds at 1 % grade this machine's own disk
    expect(guardpost(['check', '--config', cfg({ clock: {} })]).code).toBe(0);
    expect(guardpost(['check', '--config', cfg({ disk: { mounts: [{ path: tmp, minorPercent: 1, majorPercent: 99, criticalPercent: 100 }] } })]).code).toBe(1);
    expect(guardpost(['check', '--config', cfg({ disk: { mounts: [{ path: tmp, minorPercent: 1, majorPercent: 1, criticalPercent: 100 }] } })]).code).toBe(2);
    const critical = guardpost(['check', '--config', cfg({ backup: { directory: backups }, clock: {} })]);
    expect(critical.code).toBe(3);
    expect(critical.out).toContain('BACKUP_MISSING');
    expect(critical.out).toContain('严重');
    const en = guardpost(['check', '--lang', 'en', '--config', cfg({ backup: { directory: backups } })]);
    expect(en.out).toContain('critical');
    expect(en.out).not.toContain('严重');
    const json = JSON.parse(guardpost(['check', '--json', '--config', cfg({ backup: { directory: backups }, clock: {} }), 'backup']).out);
    expect(json.worst).toBe('critical');
    expect(json.findings.map((f: { check: string }) => f.check)).toEqual(['backup']);
    const unknown = guardpost(['check', '--config', cfg({ clock: {} }), 'nosuch']);
    expect(unknown.code).toBe(64);
    expect(unknown.err).toContain('no check with id "nosuch"');
    expect(guardpost(['check', '--config', cfg({ clock: { intervalSeconds: 'often' } })]).code).toBe(78);
  });

  it('run serves status, keeps secrets out of logs and API, and stops on SIGTERM within 5 s', async () => {
    const port = await freePort();
    const state = join(tmp, 'run-state');
    const secretValue = 'Pr0xy-Secr3t-Value';
    const file = writeConfig('run.json', {
      site: SITE,
      checks: { clock: {}, backup: { directory: join(tmp, 'no-backups'), raiseAfter: 1 } },
      desk: { proxy: { url: 'http://127.0.0.1:3128', username: 'gp', password: { env: 'GP_TEST_PROXY_PW' } } },
      web: { port },
      logging: { level: 'trace', file: join(state, 'agent.log') },
      storage: { dir: state },
    });
    const child = spawn(process.execPath, [bin, 'run', '--config', file], {
      env: { PATH: process.env.PATH, GP_TEST_PROXY_PW: secretValue },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      const deadline = Date.now() + 20_000;
      while (!out.includes('local page') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      let status: { code: number | null; out: string } = { code: null, out: '' };
      while (Date.now() < deadline) {
        status = guardpost(['status', '--json', '--config', file], { GP_TEST_PROXY_PW: secretValue });
        if (status.code !== 69 && JSON.parse(status.out).faults.some((f: { code: string }) => f.code === 'BACKUP_MISSING')) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(out, `agent output: ${out}`).toContain(`http://127.0.0.1:${port}/`);
      expect(status.code).toBe(3);
      const body = JSON.parse(status.out);
      expect(body.agent.id).toBe('P44010600123-POS-01');
      expect(body.overall).toBe('down');
      expect(status.out).not.toContain(secretValue);
      const human = guardpost(['status', '--config', file], { GP_TEST_PROXY_PW: secretValue });
      expect(human.out).toContain('无法结算');
      expect(human.out).toContain('BACKUP_MISSING');
      // Status needs none of the agent's secrets: the password variable unset in this shell changes nothing.
      expect(guardpost(['status', '--config', file], {}).code).toBe(3);
      // Another terminal's config on the same port: the agent answering is not its agent, and status says so.
      const other = writeConfig('other.json', { site: SITE, agent: { id: 'P44010600123-POS-77' }, checks: { clock: {} }, web: { port }, storage: { dir: join(tmp, 'other-state') } });
      const wrong = guardpost(['status', '--config', other]);
      expect(wrong.code).toBe(69);
      expect(wrong.err).toContain('a different agent answers');
      expect(wrong.err).toContain('P44010600123-POS-01');

      const stopAt = Date.now();
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(Date.now() - stopAt).toBeLessThan(5000);
    } finally {
      child.kill('SIGKILL');
    }
    const log = readFileSync(join(state, 'agent.log'), 'utf8');
    expect(log).toContain('agent started');
    expect(log).toContain('agent stopped');
    expect(log).not.toContain(secretValue);
    expect(readFileSync(join(state, 'state.json'), 'utf8')).not.toContain(secretValue);
    for (const segment of existsSync(join(state, 'outbox')) ? readdirSync(join(state, 'outbox')) : []) {
      expect(readFileSync(join(state, 'outbox', segment), 'utf8')).not.toContain(secretValue);
    }
    expect(guardpost(['status', '--config', file], { GP_TEST_PROXY_PW: 'x' }).code).toBe(69);
  });

  for (const topic of ['faults', 'config', 'protocol', 'api', 'metrics']) {
    it(`docs/${topic}.md is exactly what the code renders (regenerate: npm run docs)`, () => {
      const r = guardpost(['docs', topic]);
      expect(r.code).toBe(0);
      expect(readFileSync(join(root, 'docs', `${topic}.md`), 'utf8')).toBe(r.out);
    });
  }

  it('desk/fault-runbooks.ts is exactly the agent catalogue the code renders (regenerate: npm run docs)', () => {
    const r = guardpost(['docs', 'desk-runbooks']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('"READER_NO_RESPONSE": {"severity":');
    expect(readFileSync(join(root, 'desk/fault-runbooks.ts'), 'utf8')).toBe(r.out);
  });
});
