import { createServer, type Server, type Socket } from 'node:net';
import { pipeForwardSocket } from '../../desk/client/forward-pipe.js';
import { EXIT } from './exit-codes.js';
import { UsageError } from './io.js';
import { acquireSession, endOurs } from './desk-cli-session.js';
import type { AssistCliContext } from './desk-cli-streams.js';

export interface ForwardOptions {
  listen?: string | undefined;
  session?: string | undefined;
  reason?: string | undefined;
  ticket?: string | undefined;
  minutes?: string | undefined;
}

/**
 * `desk-cli forward AGENT PORT|HOST:PORT --listen 127.0.0.1:LOCALPORT`: ordinary tools on the engineer's machine
 * reach an allow-listed target on the terminal. Each accepted connection is one forward channel (params.target);
 * the agent checks the target against its allowlist before it connects, so a refusal is per connection and told.
 * Runs until Ctrl-C / SIGTERM or the session ends (then every connection closes with it).
 */
export async function forwardCommand(ctx: AssistCliContext, words: string[], o: ForwardOptions): Promise<number> {
  const [agent, where] = words;
  if (!agent || !where) throw new UsageError('forward AGENT PORT|HOST:PORT --listen 127.0.0.1:LOCALPORT [--session ID | --reason TEXT]');
  const target = /^\d+$/.test(where) ? `127.0.0.1:${where}` : where;
  if (!/^(\[[0-9A-Fa-f:.]+\]|[^:\s]+):\d{1,5}$/.test(target)) throw new UsageError(`"${where}" is not PORT or HOST:PORT`);
  const listen = parseListen(o.listen);
  const got = await acquireSession(ctx, { agent, kinds: ['forward'], session: o.session, reason: o.reason, ticket: o.ticket, minutes: o.minutes, targets: [target] });
  if ('exit' in got) return got.exit;
  const { io } = ctx;
  let attached;
  try {
    attached = await ctx.client.attach(got.row.id);
  } catch (err) {
    await endOurs(ctx, got);
    throw err;
  }
  const sockets = new Set<Socket>();
  const server: Server = createServer({ pauseOnConnect: true }, (socket) => void serve(socket));
  let refusals = 0;

  async function serve(socket: Socket): Promise<void> {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => undefined); // a reset by the local client; the pipe sees the close
    const from = `${socket.remoteAddress}:${socket.remotePort}`;
    let ch;
    try {
      ch = await attached!.mux.open({ kind: 'forward', params: { target } });
    } catch (err) {
      refusals++;
      const reason = (err as Error & { reason?: string }).reason ?? (err as Error).message;
      io.err(`转发被拒绝 / forward to ${target} refused for ${from}: ${reason}${reason === 'denied' ? ` (not on ${agent}'s allowlist or the session's targets)` : ''}`);
      socket.destroy();
      return;
    }
    io.err(`连接 / ${from} → ${agent} ${target} (channel ${ch.id})`);
    socket.resume();
    const end = await pipeForwardSocket(socket, ch);
    io.err(`断开 / ${from} closed: ${end.bytesOut} bytes sent, ${end.bytesIn} received (${end.closedBy}${end.channelReason ? `, ${end.channelReason}` : ''})`);
  }

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(listen.port, listen.host, () => resolve());
    });
  } catch (err) {
    attached.close();
    await endOurs(ctx, got);
    io.err(`无法监听 / cannot listen on ${o.listen}: ${(err as Error).message}`);
    return EXIT.unavailable;
  }
  const addr = server.address() as { address: string; port: number };
  const shown = addr.address.includes(':') ? `[${addr.address}]:${addr.port}` : `${addr.address}:${addr.port}`;
  // The address on stdout alone (the rest goes to stderr): a script reads it to know where to connect.
  io.out(`${shown}`);
  io.err(`转发中 / forwarding ${shown} → ${agent} ${target} (session ${got.row.sessionId}); Ctrl-C stops`);

  const why = await new Promise<'interrupt' | 'session'>((resolve) => {
    const release = ctx.streams.onInterrupt(() => (release(), resolve('interrupt')));
    void attached!.closed.then(() => (release(), resolve('session')));
  });
  server.close();
  for (const s of sockets) s.destroy();
  if (why === 'session') {
    const row = await ctx.client.get(got.row.id).catch(() => got.row);
    const closed = await attached.closed;
    io.err(`会话已结束 / the session ended: ${closed.reason || row.endCause || row.state}`);
    return EXIT.unavailable;
  }
  attached.close();
  await endOurs(ctx, got);
  io.err(`已停止 / stopped${got.ours ? `; session ${got.row.id.slice(0, 8)} ended` : ''}${refusals ? ` (${refusals} connection${refusals === 1 ? '' : 's'} refused)` : ''}`);
  return EXIT.ok;
}

function parseListen(s: string | undefined): { host: string; port: number } {
  if (!s) throw new UsageError('forward needs --listen HOST:PORT (e.g. 127.0.0.1:15900; port 0 picks a free one)');
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:\s]+)):(\d{1,5})$/.exec(s) ?? /^()()(\d{1,5})$/.exec(s);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new UsageError(`--listen: "${s}" is not HOST:PORT`);
  return { host: m[1] || m[2] || '127.0.0.1', port };
}
