import { connect, type Socket } from 'node:net';
import type { ForwardTarget } from '../../policy/targets.js';

/** A TCP connection to the target, or the errno why not; a connect that hangs (a dropped SYN) ends at `timeoutMs`. */
export function connectTarget(t: ForwardTarget, timeoutMs: number): Promise<{ socket: Socket } | { errno: string; message: string }> {
  return new Promise((resolve) => {
    const socket = connect({ host: t.host, port: t.port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ errno: 'ETIMEDOUT', message: `no connection within ${timeoutMs} ms` });
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      // Until the pipe starts, an error must not go unhandled (it would end the agent); the pipe sees a destroyed socket.
      socket.on('error', () => undefined);
      resolve({ socket });
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ errno: err.code ?? 'EUNKNOWN', message: err.message });
    });
  });
}
