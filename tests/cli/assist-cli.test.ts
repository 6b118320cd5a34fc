import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `guardpost assist` from dist/ against a real running agent (dist/ too), through its local API and token file.
const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'guardpost.js');
const tmp = mkdtempSync(join(tmpdir(), 'gp-assist-'));
const SITE = { fixmedins_code: 'P44010600123', fixmedins_name: '示例大药房', mdtrtarea_admvs: '440106', terminalId: 'POS-01' };
const stateDir = join(tmp, 'state');

function guardpost(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: tmp, LANG: 'en_US.UTF-8' }, timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** The agent with a stand-in for the desk's channel on stdin (support/assist-agent.mjs). */
class AgentProcess {
  private readonly lines: string[] = [];
  private waiters: Array<() => void> = [];
  log = '';
  constructor(readonly child: ChildProcessWithoutNullStreams) {
    createInterface({ input: child.stdout }).on('line', (l) => {
      this.lines.push(l);
      for (const w of this.waiters.splice(0)) w();
    });
    child.stderr.on('data', (d) => (this.log += d));
  }
  async next(): Promise<{ op: string; session: Record<string, unknown> | null }> {
    const deadline = Date.now() + 20_000;
    while (!this.lines.length) {
      if (Date.now() > deadline || this.child.exitCode !== null) throw new Error(`agent: no answer\n${this.log}`);
      await new Promise<void>((r) => (this.waiters.push(r), setTimeout(r, 200)));
    }
    return JSON.parse(this.lines.shift()!);
  }
  async ask(msg: object) {
    this.child.stdin.write(`${JSON.stringify(msg)}\n`);
    return (await this.next()).session!;
  }
}

let agent: AgentProcess;
let configFile: string;
let port: number;

beforeAll(async () => {
  if (!existsSync(join(root, 'dist/agent/cli/assist-command.js'))) throw new Error('dist/ is missing or old: run `npm run build`');
  port = await freePort();
  configFile = join(tmp, 'config.json');
  writeFileSync(
    configFile,
    JSON.stringify({ site: SITE, checks: {}, web: { port }, logging: { file: null, stdout: false }, storage: { dir: stateDir }, assist: { enabled: true, consentTimeoutSeconds: 60 } }),
  );
  const child = spawn(process.execPath, [join(import.meta.dirname, 'support', 'assist-agent.mjs'), '--config', configFile], {
    env: { PATH: process.env.PATH, HOME: tmp },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  agent = new AgentProcess(child);
  expect((await agent.next()).op).toBe('ready');
}, 30_000);

afterAll(async () => {
  if (agent && agent.child.exitCode === null) {
    agent.child.kill('SIGTERM');
    await new Promise((r) => agent.child.once('exit', r));
  }
});

const request = { engineer: '王工', organisation: '维保中心', ticket: 'T-77', reason: 'reader not answering', kinds: ['diag'], durationMinutes: 20 };

describe('guardpost assist (CLI) against a running agent', () => {
  it('the token file is the agent user\'s alone (0600 in a 0700 directory)', () => {
    expect(statSync(join(stateDir, 'local-api.token')).mode & 0o777).toBe(0o600);
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);
  });

  it('list shows who asks; approve starts the session as the CLI\'s decision; a replayed approve is refused; end ends it', async () => {
    const s = await agent.ask({ op: 'request', request });
    expect(s.state).toBe('pending');
    const id = String(s.id);

    const list = guardpost(['assist', 'list', '--config', configFile]);
    expect(list.err).toBe('');
    expect(list.code).toBe(0);
    expect(list.out).toContain(id);
    expect(list.out).toContain('王工 (维保中心)');
    expect(list.out).toContain('T-77');

    const approve = guardpost(['assist', 'approve', id, '--config', configFile]);
    expect(approve.code, approve.err).toBe(0);
    expect(approve.out).toContain(`${id} active — 王工 (维保中心) (local-cli)`);
    expect(await agent.ask({ op: 'get', id })).toMatchObject({ state: 'running', approvedBy: 'local-cli' });

    const replay = guardpost(['assist', 'approve', id, '--config', configFile]);
    expect(replay.code).toBe(1);
    expect(replay.err).toContain('409');

    const end = guardpost(['assist', 'end', id, '--config', configFile]);
    expect(end.code, end.err).toBe(0);
    expect(await agent.ask({ op: 'get', id })).toMatchObject({ state: 'ended', endCause: 'operator', endedBy: 'local-cli' });
    // answering an ended session again, in any way, is refused
    expect(guardpost(['assist', 'approve', id, '--config', configFile]).code).toBe(1);
    expect(guardpost(['assist', 'deny', id, '--config', configFile]).code).toBe(1);
    expect(guardpost(['assist', 'end', id, '--config', configFile]).code).toBe(1);
  }, 60_000);

  it('deny declines the pending request, with the reason; an unknown id is refused', async () => {
    const s = await agent.ask({ op: 'request', request });
    const deny = guardpost(['assist', 'deny', String(s.id), '--reason', 'cashier busy', '--config', configFile]);
    expect(deny.code, deny.err).toBe(0);
    expect(await agent.ask({ op: 'get', id: s.id })).toMatchObject({ state: 'denied', deniedBy: 'local-cli' });
    const unknown = guardpost(['assist', 'approve', '00000000-0000-4000-8000-000000000000', '--config', configFile]);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('404');
  }, 60_000);

  it('without the token, with a wrong one, or with the token and a browser\'s Origin, the API refuses to approve', async () => {
    const s = await agent.ask({ op: 'request', request });
    const url = `http://127.0.0.1:${port}/api/consent/${String(s.id)}/approve`;
    const { token } = JSON.parse((await import('node:fs')).readFileSync(join(stateDir, 'local-api.token'), 'utf8')) as { token: string };
    const post = (headers: Record<string, string>) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' }).then((r) => r.status);
    expect(await post({})).toBe(403);
    expect(await post({ 'x-guardpost-cli-token': 'x'.repeat(43) })).toBe(403);
    expect(await post({ 'x-guardpost-cli-token': token, origin: 'http://127.0.0.1:9' })).toBe(403);
    expect(await post({ 'x-guardpost-cli-token': token, 'sec-fetch-site': 'cross-site' })).toBe(403);
    expect(await agent.ask({ op: 'get', id: s.id })).toMatchObject({ state: 'pending' });
    expect(guardpost(['assist', 'end', String(s.id), '--config', configFile]).code).toBe(0); // withdrawn, for the next test
  }, 60_000);

  it('when the agent stops, the token goes with it: a token from that start is worthless and assist says no agent', async () => {
    agent.child.kill('SIGTERM');
    await new Promise((r) => agent.child.once('exit', r));
    expect(existsSync(join(stateDir, 'local-api.token'))).toBe(false);
    const r = guardpost(['assist', 'list', '--config', configFile]);
    expect(r.code).toBe(69);
  }, 30_000);
});
