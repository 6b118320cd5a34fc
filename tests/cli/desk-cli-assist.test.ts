import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAssistRuntime, type AssistRuntime } from '../../agent/assist/runtime.js';
import { builtinPlugins } from '../../agent/checks/all.js';
import { deskCliCommand } from '../../agent/cli/desk-cli-command.js';
import type { DeskCliStreams } from '../../agent/cli/desk-cli-streams.js';
import type { CliIO } from '../../agent/cli/io.js';
import { buildConfig } from '../../agent/core/config/load.js';
import { FaultCatalogue } from '../../agent/core/faults/catalogue.js';
import { createLogger } from '../../agent/core/logging/index.js';
import { Agent } from '../../agent/core/runtime/agent.js';
import { currentPlatform } from '../../agent/platform/index.js';
import { DeskTunnel } from '../../agent/tunnel/tunnel.js';
import { ConsentBroker } from '../../agent/web/consent-broker.js';
import type { Desk } from '../../desk/desk.js';
import type { AssistRequestRow } from '../../desk/store/assist-types.js';
import { agentDeskConfig, FAST, initTestDesk, root, SITE, startDesk, tmp, waitFor, type TestDesk } from '../desk/support/harness.js';

/*
 * `guardpost desk-cli assist | diag | forward | audit` against the real desk on loopback and the real agent with
 * assistance enabled (its policy, session layer, audit log, diag/forward/shell kinds, the tunnel's channels), wired
 * as `guardpost run` wires them. The operator's consent is given on the agent's ConsentBroker, as its page and
 * `guardpost assist approve` do. The CLI runs in process with captured output and pipes for the terminal; the TTY
 * path runs it in a real pty (node-pty).
 */

const AGENT = 'P44010600123-POS-71';
const ROOT = process.getuid?.() === 0; // the shell runs as nobody: switching users needs root

let d: TestDesk;
let desk: Desk;
let token: string;
let echo: Server;
let echoTarget: string;
let consent: ConsentBroker;
let runtime: AssistRuntime;
let stopAgent: () => Promise<void>;

beforeAll(async () => {
  echo = createServer((s) => s.pipe(s));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  echoTarget = `127.0.0.1:${(echo.address() as { port: number }).port}`;

  d = await initTestDesk();
  desk = await startDesk(d);
  token = desk.store.createToken('engineer-li', new Date().toISOString());

  const dir = tmp('gp-agent-');
  const platform = currentPlatform();
  const config = buildConfig(
    {
      site: SITE,
      agent: { id: AGENT },
      checks: {},
      desk: JSON.parse(JSON.stringify(await agentDeskConfig(d, AGENT))) as unknown,
      storage: { dir: join(dir, 'state') },
      logging: { file: join(dir, 'agent.log') },
      assist: {
        enabled: true,
        kinds: { diag: true, forward: true, shell: true },
        forwardTargets: [echoTarget],
        maxConcurrentSessions: 4,
        bandwidthBytesPerSecond: 64 * 1024 * 1024,
        consentTimeoutSeconds: 5,
        shell: { user: 'nobody', command: ['/bin/sh'] },
      },
    },
    'test',
    { plugins: builtinPlugins, platform, faultCodes: new FaultCatalogue(builtinPlugins).codes(), env: {} },
  );
  const logger = createLogger({ level: 'debug', file: join(dir, 'agent.log'), maxSizeMB: 20, maxFiles: 2, stdout: false });
  consent = new ConsentBroker({ maxLive: config.assist.maxConcurrentSessions });
  let agent: Agent | undefined;
  runtime = await startAssistRuntime({ config, logger, consent, consentPaths: () => ({ page: true, cli: true }), agent: () => agent });
  const tunnel = new DeskTunnel({ config, version: 'test', logger, env: {}, assist: runtime.setup, timing: FAST });
  agent = await Agent.start({ config, plugins: builtinPlugins, platform, logger, version: 'test', historyFlushMs: 100, sources: tunnel.sources });
  tunnel.start(agent);
  const running = agent;
  stopAgent = async () => {
    await runtime.close();
    consent.close();
    await tunnel.stop();
    await running.stop(500);
  };
  await waitFor('agent ready at the desk', () => desk.registry.get(AGENT)?.ready);
}, 60_000);

afterAll(async () => {
  await stopAgent?.().catch(() => undefined);
  await desk?.stop().catch(() => undefined);
  echo?.close();
});

/** A terminal made of pipes, with Ctrl-C / SIGTERM and SIGWINCH the test fires itself. */
function pipes(): DeskCliStreams & { input: PassThrough; output: PassThrough; text: () => string; interrupt: () => void } {
  const input = new PassThrough();
  const output = new PassThrough();
  const chunks: Buffer[] = [];
  output.on('data', (b: Buffer) => chunks.push(b));
  const events = new EventEmitter();
  return {
    stdin: input,
    stdout: output,
    input,
    output,
    text: () => Buffer.concat(chunks).toString('utf8'),
    interrupt: () => events.emit('interrupt'),
    onInterrupt: (fn) => (events.on('interrupt', fn), () => void events.off('interrupt', fn)),
    onResize: (fn) => (events.on('resize', fn), () => void events.off('resize', fn)),
  };
}

interface Run {
  done: Promise<number>;
  out: () => string;
  err: () => string;
  term: ReturnType<typeof pipes>;
}

/** desk-cli in process: its messages captured, its terminal pipes. */
function start(args: string[], term = pipes()): Run {
  let out = '';
  let err = '';
  const io: CliIO = { out: (s) => void (out += s.endsWith('\n') ? s : `${s}\n`), err: (s) => void (err += s.endsWith('\n') ? s : `${s}\n`), env: {} };
  const done = deskCliCommand([...args, '--dir', d.dir, '--token', token, '--lang', 'en'], io, term);
  return { done, out: () => out, err: () => err, term };
}

async function run(args: string[]): Promise<{ code: number; out: string; err: string; text: string }> {
  const r = start(args);
  const code = await r.done;
  return { code, out: r.out(), err: r.err(), text: r.term.text() };
}

/** The operator answers the next request the agent asks about (as its page or `guardpost assist` does). */
async function operator(answer: 'approve' | 'deny'): Promise<string> {
  const s = await waitFor('a pending request on the agent', () => consent.liveSessions().find((x) => x.state === 'pending'));
  if (answer === 'approve') consent.approve(s.id, 'local-cli');
  else consent.deny(s.id, 'local-cli', 'cashier busy');
  return s.id;
}

/** A running session asked for with `desk-cli assist`; its request id (printed on stdout). */
async function session(kinds: string, extra: string[] = []): Promise<string> {
  const r = start(['assist', AGENT, '--kind', kinds, '--reason', '读卡器无响应', '--ticket', 'GZ-7', ...extra]);
  await operator('approve');
  const code = await r.done;
  expect(code, r.err()).toBe(0);
  return r.out().trim();
}

const requestOf = (id: string) => desk.store.assist.getRequest(id) as AssistRequestRow;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('desk-cli assist, diag, forward and audit against the real desk and agent', () => {
  it('a request the policy refuses: exit 1 with the rule and why; nobody is asked', async () => {
    const r = await run(['assist', AGENT, '--kind', 'forward', '--target', '127.0.0.1:22', '--reason', 'ssh']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/refused by the policy of P44010600123-POS-71: target_not_allowed — .*127\.0\.0\.1:22/);
    expect(consent.liveSessions()).toEqual([]);
  });

  it("denied by the operator, and timed out: exit 1 with who said no; the wait says who must approve", async () => {
    const r = start(['diag', AGENT, 'status', '--reason', '巡检']);
    const sessionId = await operator('deny');
    expect(await r.done).toBe(1);
    expect(r.err()).toContain(`waiting for the operator at ${AGENT} to approve (its local page, or \`guardpost assist approve ${sessionId}\` there)`);
    expect(r.err()).toContain(`denied by the operator at ${AGENT} (local-cli)`);

    const t = await run(['assist', AGENT, '--kind', 'diag', '--reason', '无人值守']); // consentTimeoutSeconds: 5
    expect(t.code).toBe(1);
    expect(t.err).toContain(`timed out: nobody at ${AGENT} approved in time`);
  }, 30_000);

  it('approved: diag actions print their answer, the bundle goes to --out, an unknown action shows the agent\'s reason', async () => {
    // Without --session: a diag session is asked for, used once and ended.
    const once = start(['diag', AGENT, 'status', '--reason', '查看状态']);
    await operator('approve');
    expect(await once.done, once.err()).toBe(0);
    expect(JSON.parse(once.term.text())).toHaveProperty('overall');
    const asked = desk.store.assist.listRequests({ agent: AGENT, limit: 1 })[0]!;
    await waitFor('its own session ended', () => requestOf(asked.id).state === 'ended');

    const id = await session('diag');
    const short = id.slice(0, 8);
    const tail = await run(['diag', AGENT, 'tail-log', 'log=agent', 'lines=5', '--session', short]);
    expect(tail.code, tail.err).toBe(0);
    expect(tail.text.trimEnd().split('\n').length).toBeLessThanOrEqual(5);

    const file = join(tmp('gp-bundle-'), 'bundle.tar.gz');
    const bundle = await run(['diag', AGENT, 'bundle', '--out', file, '--session', id]);
    expect(bundle.code, bundle.err).toBe(0);
    expect(bundle.err).toContain(`to ${file}`);
    const gz = readFileSync(file);
    expect(gz.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(execFileSync('tar', ['-tzf', file], { encoding: 'utf8' })).toMatch(/guardpost-P44010600123-POS-71-\d{8}T\d{6}Z\//);

    // Binary to a terminal: refused before anything is asked.
    const tty = pipes();
    Object.assign(tty.stdout, { isTTY: true });
    const before = desk.store.assist.listRequests({ agent: AGENT }).length;
    await expect(deskCliCommand(['diag', AGENT, 'bundle', '--reason', 'x', '--dir', d.dir, '--token', token], { out: () => undefined, err: () => undefined, env: {} }, tty)).rejects.toThrow(/tar\.gz: pass --out FILE/);
    expect(desk.store.assist.listRequests({ agent: AGENT }).length).toBe(before);

    const unknown = await run(['diag', AGENT, 'format-disk', '--session', id]);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/the agent refused or failed format-disk: unknown action "format-disk"; known: run-checks, status, tail-log, bundle/);
    const bad = await run(['diag', AGENT, 'tail-log', '--args', '{"log":"agent","lines":5000}', '--session', id]);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('args.lines');

    // The request as desk-cli shows and lists it; then the engineer ends it.
    const show = await run(['assist', 'show', short]);
    expect(show.out).toMatch(/state\s+running/);
    expect(show.out).toContain('approved by    local-cli');
    const list = await run(['assist', 'list', '--agent', AGENT, '--state', 'running', '--json']);
    expect((JSON.parse(list.out) as { requests: AssistRequestRow[] }).requests.map((x) => x.id)).toContain(id);
    const end = await run(['assist', 'end', short]);
    expect(end.code, end.err).toBe(0);
    expect(end.out).toContain(`end requested ${short} (${AGENT}): sent`);
    await waitFor('ended at the agent', () => requestOf(id).state === 'ended');
    expect(requestOf(id)).toMatchObject({ endCause: 'engineer', endedBy: 'engineer-li' });
    const after = await run(['diag', AGENT, 'status', '--session', short]);
    expect(after.code).toBe(1);
    expect(after.err).toContain('is not running');
  }, 60_000);

  it('forward: a real client through --listen reaches the echo server; 2 MB come back intact; Ctrl-C stops and ends the session', async () => {
    const f = start(['forward', AGENT, echoTarget, '--listen', '127.0.0.1:0', '--reason', 'VNC']);
    await operator('approve');
    const listen = await waitFor('the listen address', () => /^127\.0\.0\.1:(\d+)$/m.exec(f.out())?.[1]);
    const data = randomBytes(2 * 1024 * 1024);
    const back = await new Promise<Buffer>((resolve, reject) => {
      const c = createConnection({ host: '127.0.0.1', port: Number(listen) });
      const got: Buffer[] = [];
      let n = 0;
      c.on('data', (b: Buffer) => {
        got.push(b);
        n += b.length;
        if (n >= data.length) (c.end(), resolve(Buffer.concat(got)));
      });
      c.on('error', reject);
      c.write(data);
    });
    expect(sha(back)).toBe(sha(data));
    // A second connection at once: one channel each.
    const second = await new Promise<string>((resolve) => {
      const c = createConnection({ host: '127.0.0.1', port: Number(listen) }, () => c.write('ping'));
      c.on('data', (b) => (c.end(), resolve(b.toString())));
    });
    expect(second).toBe('ping');
    await waitFor('both connections closed', () => (f.err().match(/closed: /g) ?? []).length >= 2);
    f.term.interrupt();
    expect(await f.done, f.err()).toBe(0);
    expect(f.err()).toMatch(/2097152 bytes sent, 2097152 received/);
    const asked = desk.store.assist.listRequests({ agent: AGENT, limit: 1 })[0]!;
    await waitFor('the forward session ended', () => requestOf(asked.id).state === 'ended');

    // The agent's audit reached the desk: the connections with their byte counts, the chain intact.
    await waitFor('forward audit at the desk', () => desk.store.assist.auditRecords(AGENT, 0, 5000).filter((r) => r.kind === 'forward-connection').length >= 2);
    const audit = await run(['audit', AGENT]);
    expect(audit.code, audit.err).toBe(0);
    expect(audit.out).toMatch(/forward-connection .*target=127\.0\.0\.1:\d+ bytesToTarget=2097152 bytesFromTarget=2097152/);
    expect(audit.out).toMatch(/diag-action .*action=bundle ok=true/);
    expect(audit.out).toMatch(/consent .*decision=denied by=local-cli/);
    expect(audit.out).toMatch(/policy-refused .*reason=target_not_allowed/);
    expect(audit.out).toMatch(/chain intact: \d+ records, last seq \d+/);
    const json = JSON.parse((await run(['audit', AGENT, '--json', '--after', '2', '--limit', '3'])).out) as { records: { seq: number }[]; chain: { intact: boolean } };
    expect(json.records.map((r) => r.seq)).toEqual([3, 4, 5]);
    expect(json.chain.intact).toBe(true);
  }, 60_000);

  it('forward to a target outside the allowlist: each connection is refused and told, nothing connects', async () => {
    const id = await session('forward', ['--target', echoTarget]);
    const f = start(['forward', AGENT, '127.0.0.1:5900', '--listen', '127.0.0.1:0', '--session', id]);
    const listen = await waitFor('the listen address', () => /^127\.0\.0\.1:(\d+)$/m.exec(f.out())?.[1]);
    const closed = await new Promise<string>((resolve) => {
      const c = createConnection({ host: '127.0.0.1', port: Number(listen) });
      c.on('close', () => resolve('closed'));
      c.on('error', () => undefined);
    });
    expect(closed).toBe('closed');
    expect(f.err()).toMatch(/forward to 127\.0\.0\.1:5900 refused for 127\.0\.0\.1:\d+: denied/);
    // The engineer ends the session elsewhere: the forward command stops with it.
    await run(['assist', 'end', id]);
    expect(await f.done).toBe(69);
    expect(f.err()).toContain('the session ended');
  }, 30_000);

  (ROOT ? it : it.skip)('shell without a TTY: lines in, the output back, the exit status of the shell becomes ours', async () => {
    const term = pipes();
    const r = start(['assist', AGENT, '--kind', 'shell', '--reason', '查看进程'], term);
    await operator('approve');
    await waitFor('the prompt', () => term.text().includes('$ '));
    term.input.write('echo "hi from $GUARDPOST_ENGINEER"; exit 3\n');
    expect(await r.done, r.err()).toBe(3);
    expect(term.text()).toContain('hi from engineer-li');
    const asked = desk.store.assist.listRequests({ agent: AGENT, limit: 1 })[0]!;
    expect(requestOf(asked.id).state, 'the shell exiting leaves the session').toBe('running');
    await run(['assist', 'end', asked.id]);
  }, 30_000);

  (ROOT ? it : it.skip)('shell in a real TTY: raw mode, the window size passed through, Ctrl-] detaches and the session stays', async () => {
    const pty = await import('node-pty');
    const script = `const { main } = await import(${JSON.stringify(join(root, 'agent/cli/main.ts'))}); process.exitCode = await main(process.argv.slice(1)); setTimeout(() => process.exit(), 500).unref();`;
    const p = pty.spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script, 'desk-cli', 'assist', AGENT, '--kind', 'shell', '--reason', '检查打印机', '--dir', d.dir, '--token', token, '--lang', 'en'],
      { cols: 91, rows: 21, cwd: root, env: { PATH: process.env.PATH ?? '', HOME: tmp('gp-home-'), TERM: 'xterm' } },
    );
    let text = '';
    p.onData((s) => (text += s));
    const exited = new Promise<number>((resolve) => p.onExit(({ exitCode }) => resolve(exitCode)));
    await operator('approve');
    await waitFor('attached and the remote prompt', () => text.includes('Ctrl-] detaches') && /\$ $/.test(text), 30_000).catch((err: Error) => {
      throw new Error(`${err.message}; the pty showed: ${JSON.stringify(text)}`);
    });
    p.write('stty size\r');
    await waitFor('the window size on the agent', () => text.includes('21 91'));
    p.resize(100, 30);
    await new Promise((r) => setTimeout(r, 300));
    p.write('stty size\r');
    await waitFor('the new window size', () => text.includes('30 100'));
    // Raw mode: Ctrl-C goes to the remote shell (it interrupts the sleep), it does not stop desk-cli.
    p.write('sleep 30\r');
    await new Promise((r) => setTimeout(r, 300));
    p.write('\x03');
    p.write('echo after-ctrl-c\r');
    await waitFor('the shell still there', () => /after-ctrl-c\r*\n\$ $/.test(text)).catch((err: Error) => {
      throw new Error(`${err.message}; the pty showed: ${JSON.stringify(text)}`);
    });
    p.write('\x1d');
    expect(await exited).toBe(0);
    expect(text).toContain('detached; session');
    const id = desk.store.assist.listRequests({ agent: AGENT, limit: 1 })[0]!.id;
    expect(requestOf(id).state).toBe('running');
    await run(['assist', 'end', id]);
  }, 60_000);
});
