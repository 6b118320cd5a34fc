import { Agent as HttpsAgent, type RequestOptions } from 'node:https';
import { isIP, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { ProxyRoute } from '../net/index.js';
import { connectThroughProxy } from './connect-proxy.js';
import type { TlsMaterial } from './credentials.js';
import { verifyDesk } from './tls-verify.js';

export interface DialPlan {
  host: string;
  port: number;
  proxy: ProxyRoute | null;
  tls: TlsMaterial;
  timeoutMs: number;
}

/**
 * The socket factory under the desk WebSocket (an https.Agent, which ws hands its request to): TCP directly or
 * through the CONNECT proxy, then mutual TLS, then our own verification of the desk — all before the socket is
 * given to the HTTP upgrade, so not one byte of the request reaches a desk that failed verification.
 */
export class DeskDialer extends HttpsAgent {
  private readonly pending = new Set<Socket>();
  /** Aborted when the tunnel stops: abandons a CONNECT still waiting for the proxy. */
  private readonly stopping = new AbortController();
  /** True once a TLS session passed verification: a later reset is the desk refusing us, not the network. */
  verified = false;

  constructor(private readonly plan: DialPlan) {
    super({ keepAlive: false });
  }

  override createConnection(_options: RequestOptions, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    this.dial().then(
      (s) => callback?.(null, s),
      (err: Error) => callback?.(err, undefined as unknown as Duplex),
    );
    return undefined;
  }

  /** Abandons connections still being set up (the tunnel is stopping). */
  abort(): void {
    this.stopping.abort(new Error('tunnel stopped'));
    for (const s of this.pending) s.destroy(new Error('tunnel stopped'));
    this.pending.clear();
  }

  private async dial(): Promise<TLSSocket> {
    const { host, port, proxy, tls, timeoutMs } = this.plan;
    const deadline = Date.now() + timeoutMs;
    let raw: Socket | undefined;
    if (proxy) {
      raw = await connectThroughProxy(proxy, host, port, timeoutMs, this.stopping.signal);
      this.pending.add(raw);
    }
    const remaining = Math.max(1, deadline - Date.now());
    return new Promise<TLSSocket>((resolve, reject) => {
      let socket: TLSSocket;
      try {
        socket = tlsConnect({
          ...(raw ? { socket: raw } : { host, port }),
          ...(isIP(host) ? {} : { servername: host }),
          ...(tls.ca ? { ca: tls.ca } : {}),
          cert: tls.cert,
          key: tls.key,
          ...(tls.passphrase !== undefined ? { passphrase: tls.passphrase } : {}),
          // Without a CA the pins decide (verifyDesk below); the handshake itself cannot check a pin.
          rejectUnauthorized: Boolean(tls.ca),
          minVersion: 'TLSv1.2',
          ALPNProtocols: ['http/1.1'],
        });
      } catch (err) {
        // Thrown at once for an unusable certificate or key: a wrong passphrase gives OpenSSL's "bad decrypt".
        raw?.destroy();
        const what = /decrypt|passphrase|PEM|key/i.test((err as Error).message) ? 'desk.keyFile / desk.keyPassphrase' : 'desk.certFile / desk.keyFile';
        reject(new Error(`cannot use ${what}: ${(err as Error).message}`));
        return;
      }
      if (!raw) this.pending.add(socket);
      const done = (err?: Error) => {
        clearTimeout(timer);
        if (raw) this.pending.delete(raw);
        this.pending.delete(socket);
        socket.off('error', onError);
        if (err) {
          socket.destroy();
          reject(err);
        } else resolve(socket);
      };
      const onError = (err: Error) => done(new Error(describeTlsError(err, host, port)));
      const timer = setTimeout(() => done(new Error(`desk ${host}:${port}: no TLS session within ${timeoutMs} ms`)), remaining);
      socket.once('error', onError);
      socket.once('secureConnect', () => {
        const why = verifyDesk(socket, host, tls.pins, Boolean(tls.ca));
        if (!why) this.verified = true;
        done(why ? new Error(`desk ${host}:${port} refused: ${why}`) : undefined);
      });
    });
  }
}

function describeTlsError(err: NodeJS.ErrnoException, host: string, port: number): string {
  const code = err.code ? ` (${err.code})` : '';
  if (err.code === 'ECONNREFUSED') return `desk ${host}:${port}: connection refused`;
  if (/certificate|self.signed|verify/i.test(err.message)) return `desk ${host}:${port}: certificate not trusted: ${err.message}${code}`;
  return `desk ${host}:${port}: ${err.message}${code}`;
}
