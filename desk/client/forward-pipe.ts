import { once } from 'node:events';
import type { Socket } from 'node:net';
import type { Channel } from '../../agent/tunnel/channels/channel.js';

export interface ForwardPipeEnd {
  bytesOut: number;
  bytesIn: number;
  /** Who ended it: the local client, the agent's side (its target or the session), or an error here. */
  closedBy: 'client' | 'agent' | 'error';
  channelReason: string | undefined;
}

/** How long the local socket may take to finish after the channel closed before it is destroyed. */
const END_GRACE_MS = 2000;

/**
 * Pipes a local TCP connection and its forward channel both ways with backpressure, as the agent's side does: the
 * socket is paused while its chunk waits for channel credit, and the channel's reader waits for the socket's 'drain',
 * so neither direction holds more than one chunk beyond the channel window however slow the other end is. A FIN from
 * the local client closes the channel 'done' once what it sent went; the channel closing ends the socket.
 */
export function pipeForwardSocket(socket: Socket, ch: Channel): Promise<ForwardPipeEnd> {
  const end: { bytesOut: number; bytesIn: number; closedBy?: ForwardPipeEnd['closedBy']; channelReason?: string } = { bytesOut: 0, bytesIn: 0 };
  let lastWrite: Promise<unknown> = Promise.resolve();

  socket.on('data', (chunk: Buffer) => {
    end.bytesOut += chunk.length;
    socket.pause();
    lastWrite = ch.write(chunk).then(
      () => socket.resume(),
      () => undefined, // the channel closed: its close handler ends the socket
    );
  });
  ch.setReader(async (chunk) => {
    end.bytesIn += chunk.length;
    if (socket.destroyed || socket.writableEnded) return;
    if (!socket.write(chunk)) await Promise.race([once(socket, 'drain'), once(socket, 'close')]);
  });
  socket.on('end', () => {
    end.closedBy ??= 'client';
    void lastWrite.then(() => ch.closed || ch.close('done'));
  });
  socket.on('error', () => {
    end.closedBy ??= 'error';
    if (!ch.closed) ch.close('error');
  });
  ch.once('close', (reason: string) => {
    end.channelReason = reason;
    end.closedBy ??= 'agent';
    if (socket.destroyed) return;
    socket.end();
    socket.resume(); // read (and drop) what still comes, so the FIN exchange completes
    setTimeout(() => socket.destroy(), END_GRACE_MS).unref();
  });
  return new Promise((resolve) => {
    socket.once('close', () => {
      // 'close' follows 'end' at once; the last chunk may still wait for credit: it goes out before the channel closes.
      const done = end.closedBy === 'error' ? Promise.resolve() : lastWrite;
      void done.then(() => {
        if (!ch.closed) ch.close(end.closedBy === 'error' ? 'error' : 'done');
        resolve({ bytesOut: end.bytesOut, bytesIn: end.bytesIn, closedBy: end.closedBy ?? 'client', channelReason: end.channelReason });
      });
    });
  });
}
