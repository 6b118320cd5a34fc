import net from 'node:net';
import type { Deadline } from './deadline.js';
import type { ResolvedAddress } from './resolve.js';
import { codeOf, ProbeFailure, socketFailureReason } from './failure.js';

const ignore = (): void => undefined;

/** One connection attempt; rejects with the socket error, or with ETIMEDOUT after `limitMs`. */
function attempt(a: ResolvedAddress, port: number, limitMs: number, deadline: Deadline): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: a.address, port, family: a.family });
    let timer: NodeJS.Timeout | undefined;
    const finish = (err?: Error): void => {
      clearTimeout(timer);
      socket.off('connect', onConnect).off('error', finish);
      deadline.signal.removeEventListener('abort', onAbort);
      if (err) {
        socket.destroy();
        reject(err);
      } else resolve(socket);
    };
    const onConnect = (): void => finish();
    const onAbort = (): void => finish(deadline.failure('tcp_timeout', { address: a.address }));
    socket.once('connect', onConnect).once('error', finish);
    deadline.signal.addEventListener('abort', onAbort, { once: true });
    timer = setTimeout(() => finish(Object.assign(new Error('connect timed out'), { code: 'ETIMEDOUT' })), limitMs);
  });
}

/**
 * Connects to the first address that answers, trying them in order; each attempt gets an equal share of the
 * time left so one dead address cannot use up the whole budget. Fails with the last attempt's reason.
 */
export async function connectTcp(addresses: ResolvedAddress[], port: number, deadline: Deadline): Promise<{ socket: net.Socket; address: string }> {
  let last: unknown;
  for (let i = 0; i < addresses.length; i++) {
    const a = addresses[i]!;
    const share = deadline.remainingMs() / (addresses.length - i);
    try {
      const socket = await attempt(a, port, Math.max(1, share), deadline);
      socket.setNoDelay(true);
      // Errors reach whoever uses the socket next (TLS, the HTTP client); this only keeps one that arrives between
      // two owners from becoming an uncaught exception.
      socket.on('error', ignore);
      return { socket, address: a.address };
    } catch (err) {
      if (deadline.signal.aborted && !(err instanceof ProbeFailure) && !deadline.expired) throw err;
      if (err instanceof ProbeFailure) throw new ProbeFailure(err.reason, { ...err.evidence, attempts: i + 1 });
      last = err;
    }
  }
  throw new ProbeFailure(socketFailureReason(last, false), { error: codeOf(last), address: addresses.at(-1)?.address ?? '', attempts: addresses.length });
}
