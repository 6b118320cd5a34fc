import type { Socket } from 'node:net';
import type { SecureContext } from 'node:tls';
import type { Deadline, PhaseTimer } from './deadline.js';
import { ProbeFailure } from './failure.js';
import type { ProxyRoute } from './proxy-choice.js';
import { connectViaProxy } from './proxy-connect.js';
import { resolveAddresses, type IpFamily } from './resolve.js';
import { connectTcp } from './tcp-connect.js';
import { tlsHandshake, type TlsSession } from './tls-handshake.js';
import type { TrustSettings } from './trust.js';

export interface ConnectTarget {
  host: string;
  port: number;
  family: IpFamily;
  proxy: ProxyRoute | null;
  /** TLS on top of the connection, or null for plain TCP. */
  tls: { name: string; trust: TrustSettings; context: SecureContext; alpn?: string[] } | null;
}

export interface Connection {
  socket: Socket;
  /** The address connected to: the server's, or the proxy's when tunnelled. */
  address: string;
  tls?: TlsSession;
}

/** DNS → TCP (or proxy → CONNECT) → TLS: the path every kind of probe shares, each step timed as its phase. */
export async function openConnection(t: ConnectTarget, deadline: Deadline, timer: PhaseTimer): Promise<Connection> {
  let conn: { socket: Socket; address: string };
  if (t.proxy) conn = await connectViaProxy(t.proxy, t.host, t.port, t.family, deadline, timer);
  else {
    const addresses = await resolveAddresses(t.host, t.family, deadline, timer);
    try {
      conn = await connectTcp(addresses, t.port, deadline);
    } finally {
      timer.mark('connect');
    }
  }
  if (!t.tls) return conn;
  try {
    const session = await tlsHandshake(conn.socket, t.tls.name, t.tls.trust, t.tls.context, t.tls.alpn, deadline, timer);
    return { socket: session.socket, address: conn.address, tls: session };
  } catch (err) {
    conn.socket.destroy();
    if (err instanceof ProbeFailure) Object.assign(err.evidence, { address: conn.address });
    throw err;
  }
}
