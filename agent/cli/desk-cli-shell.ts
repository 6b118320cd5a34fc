import type { AttachedSession } from '../../desk/client/assist-client.js';
import { ShellLink } from '../../desk/client/shell-client.js';
import type { AssistRequestRow } from '../../desk/store/assist-types.js';
import { EXIT } from './exit-codes.js';
import type { AssistCliContext } from './desk-cli-streams.js';

/** Ctrl-]: telnet's and ssh-like tools' escape, a key no shell needs. */
const DETACH_KEY = 0x1d;
/** How long the shell's exit status may take to reach the desk (the agent's audit record carries it). */
const EXIT_STATUS_WAIT_MS = 10_000;

/**
 * The engineer's terminal on a shell channel. On a TTY: raw mode (every key goes to the remote shell, Ctrl-C too),
 * the window size at open and on every resize, Ctrl-] detaches (the channel ends, the session stays). Without a
 * TTY (a pipe, a script): the input goes as it comes, line by line, and its end is an EOF (Ctrl-D) to the shell.
 * The shell's exit ends the command with the shell's status, which the agent records in its audit (the channel
 * carries only bytes): it is read back from the desk.
 */
export async function attachShell(ctx: AssistCliContext, row: AssistRequestRow, attached: AttachedSession): Promise<number> {
  const { stdin, stdout } = ctx.streams;
  const { io } = ctx;
  const tty = stdin.isTTY === true && typeof stdin.setRawMode === 'function';
  const size = () => ({ cols: clamp(stdout.columns ?? 80), rows: clamp(stdout.rows ?? 24) });
  // The audit's position now: the shell's record, when it ends, is the first one after it for this session.
  const auditBase = (await ctx.client.audit(row.agentId, { limit: '1' })).chain.lastSeq;
  let ch;
  try {
    ch = await attached.mux.open({ kind: 'shell', params: { ...size(), term: termName(io.env.TERM) } });
  } catch (err) {
    const reason = (err as Error & { reason?: string }).reason ?? (err as Error).message;
    io.err(`代理拒绝了终端 / the agent refused the shell: ${reason}${reason === 'denied' ? ' (shell is off in its policy, or it runs without an unprivileged account)' : ''}`);
    return EXIT.minor;
  }
  const link = new ShellLink(ch);
  link.output(stdout);
  let detached = false;
  const closed = new Promise<string>((resolve) => (ch.closed ? resolve(ch.closed) : ch.once('close', resolve)));

  const onData = (chunk: Buffer | string) => {
    let bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const at = tty ? bytes.indexOf(DETACH_KEY) : -1;
    if (at >= 0) bytes = bytes.subarray(0, at);
    stdin.pause(); // the next keys wait until these went (channel credit): nothing piles up here
    const sent = bytes.length ? link.input(bytes) : Promise.resolve();
    void sent.then(
      () => (at >= 0 ? detach() : stdin.resume()),
      () => undefined, // the channel closed: 'closed' ends the command
    );
  };
  const onEnd = () => void link.input(Buffer.from([0x04])).catch(() => undefined);
  const detach = () => {
    detached = true;
    if (!ch.closed) ch.close('done');
  };
  const stopResize = ctx.streams.onResize(() => void link.resize(size()).catch(() => undefined));
  const stopInterrupt = ctx.streams.onInterrupt(detach); // SIGTERM (and Ctrl-C when not raw): detach, as Ctrl-] does
  if (tty) {
    stdin.setRawMode!(true);
    io.err(`已连接终端 / shell attached to ${row.agentId} (session ${row.sessionId}); Ctrl-] detaches\r`);
  }
  stdin.on('data', onData);
  stdin.once('end', onEnd);
  stdin.resume();

  const reason = await Promise.race([closed, attached.closed.then(() => closed)]);
  stdin.off('data', onData);
  stdin.off('end', onEnd);
  stdin.pause();
  stopResize();
  stopInterrupt();
  if (tty) stdin.setRawMode!(false);

  if (detached) {
    io.err(`\r\n已断开，会话仍在进行 / detached; session ${row.id.slice(0, 8)} is still running (re-attach: desk-cli assist ${row.agentId} --kind shell --session ${row.id.slice(0, 8)}; end it: desk-cli assist end ${row.id.slice(0, 8)})`);
    return EXIT.ok;
  }
  if (reason !== 'done') {
    const now = await ctx.client.get(row.id).catch(() => row);
    io.err(`\r\n终端已关闭 / the shell closed: ${reason}${now.state !== 'running' ? `; session ${now.state}${now.endCause ? ` (${now.endCause})` : ''}` : ''}`);
    return reason === 'session_ended' || reason === 'connection_lost' ? EXIT.unavailable : EXIT.software;
  }
  const status = await exitStatus(ctx, row, auditBase);
  if (status === undefined) {
    io.err(`终端已退出，退出码未知 / the shell exited; its status did not reach the desk within ${EXIT_STATUS_WAIT_MS / 1000} s`);
    return EXIT.unavailable;
  }
  return status;
}

/** The shell's exit code from the agent's shell-recording audit record (a signal: 128 + its number, as shells do). */
async function exitStatus(ctx: AssistCliContext, row: AssistRequestRow, after: number): Promise<number | undefined> {
  const deadline = Date.now() + EXIT_STATUS_WAIT_MS;
  for (;;) {
    const r = await ctx.client.audit(row.agentId, { after: String(after) }).catch(() => undefined);
    for (const rec of r?.records ?? []) {
      if (rec.kind !== 'shell-recording') continue;
      const f = JSON.parse(rec.line) as { session?: string; exitCode?: number | null; signal?: number | null };
      if (f.session !== row.sessionId) continue;
      if (typeof f.exitCode === 'number') return f.exitCode;
      return typeof f.signal === 'number' ? 128 + f.signal : EXIT.software;
    }
    if (Date.now() > deadline) return undefined;
    await new Promise((r) => setTimeout(r, 200));
  }
}

const clamp = (n: number) => Math.max(1, Math.min(1000, Math.floor(n) || 1));
/** TERM passed through only when the agent's schema takes it; else what every terminal understands. */
const termName = (t: string | undefined) => (t && /^[A-Za-z0-9._+-]{1,64}$/.test(t) ? t : 'xterm-256color');
