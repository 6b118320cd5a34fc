import { once } from 'node:events';
import type { Socket } from 'node:net';
import type { KindContext } from '../types.js';

export type ClosedBy = 'target' | 'engineer' | 'session' | 'error';

export interface ForwardEnd {
  bytesToTarget: number;
  bytesFromTarget: number;
  closedBy: ClosedBy;
  errno?: string;
}

/** How long a socket may take to finish after the channel closed before it is destroyed. */
const END_GRACE_MS = 2000;

/**
 * Pipes the accepted channel and the target's socket both ways, each with backpressure: the socket is paused while
 * its bytes wait for channel credit, and the channel's reader waits for 'drain' when the socket's buffer is full, so
 * neither side holds more than one chunk beyond the channel window. Resolves when both are closed.
 */
export function pipeForward(ctx: KindContext, socket: Socket): Promise<ForwardEnd> {
  const ch = ctx.channel;
  const end: Omit<ForwardEnd, 'closedBy'> & { closedBy?: ClosedBy } = { bytesToTarget: 0, bytesFromTarget: 0 };
  let lastWrite: Promise<unknown> = Promise.resolve();
  if (socket.destroyed) {
    // Reset between the connect and the accept.
    ch.close('error');
    return Promise.resolve({ ...end, closedBy: 'error' });
  }

  socket.on('data', (chunk: Buffer) => {
    end.bytesFromTarget += chunk.length;
    ctx.touch();
    socket.pause();
    lastWrite = ch.write(chunk).then(
      () => socket.resume(),
      () => undefined, // the channel closed: its close handler ends the socket
    );
  });
  ch.setReader(async (chunk) => {
    end.bytesToTarget += chunk.length;
    ctx.touch();
    if (socket.destroyed || socket.writableEnded) return;
    if (!socket.write(chunk)) await Promise.race([once(socket, 'drain'), once(socket, 'close')]);
  });
  socket.on('end', () => {
    end.closedBy ??= 'target';
    void lastWrite.then(() => ch.close('done')); // the target's FIN: what it sent first reaches the engineer
  });
  socket.on('error', (err: NodeJS.ErrnoException) => {
    end.closedBy ??= 'error';
    end.errno = err.code ?? 'EUNKNOWN';
    ctx.logger.warn({ session: ctx.session.id, errno: end.errno, err: err.message }, 'forward: the target connection failed');
    ch.close('error');
  });
  ch.once('close', (reason: string) => {
    end.closedBy ??= reason === 'session_ended' || reason === 'connection_lost' ? 'session' : 'engineer';
    if (socket.destroyed) return;
    socket.end();
    socket.resume(); // read (and drop) what still comes, so the FIN exchange can complete
    setTimeout(() => socket.destroy(), END_GRACE_MS).unref();
  });
  return new Promise((resolve) => {
    socket.once('close', () => {
      // 'close' follows 'end' at once; the last chunk may still wait for credit: it goes out before the channel closes.
      const done = end.closedBy === 'error' ? Promise.resolve() : lastWrite;
      void done.then(() => {
        if (!ch.closed) ch.close(end.closedBy === 'error' ? 'error' : 'done');
        resolve({ ...end, closedBy: end.closedBy ?? 'target' });
      });
    });
  });
}
