import { isIP, type Socket } from 'node:net';
import tls, { type TLSSocket } from 'node:tls';
import type { Deadline, PhaseTimer } from './deadline.js';
import { codeOf, ProbeFailure } from './failure.js';
import { spkiPin, type TrustSettings } from './trust.js';

export interface TlsSession {
  socket: TLSSocket;
  /** DER certificates as the server presented them (leaf first), plus the root the store supplied, if any. */
  chain: Buffer[];
  protocol: string;
  cipher: string;
}

const EXPIRY = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

/** The verification error's reason: expired, wrong name, or a chain not leading to a trusted CA. */
export function verifyFailureReason(code: string): string {
  if (EXPIRY.has(code)) return 'tls_expired';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return 'tls_hostname_mismatch';
  return 'tls_untrusted';
}

function peerChain(socket: TLSSocket): Buffer[] {
  const chain: Buffer[] = [];
  let cert = socket.getPeerCertificate(true);
  const seen = new Set<string>();
  while (cert?.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    chain.push(cert.raw);
    cert = cert.issuerCertificate; // a self-signed certificate is its own issuer: `seen` ends the walk
  }
  return chain;
}

/**
 * TLS handshake over an open socket, verified here rather than by Node so that an untrusted or expired chain is
 * still captured for the certificate engine: chain against `ca` (or the pins), then the host name.
 */
export async function tlsHandshake(
  socket: Socket,
  name: string,
  trust: TrustSettings,
  ca: string | string[] | undefined,
  alpn: string[] | undefined,
  deadline: Deadline,
  timer: PhaseTimer,
): Promise<TlsSession> {
  const secure = tls.connect({
    socket,
    ...(isIP(name) ? {} : { servername: name }),
    ...(ca ? { ca } : {}),
    ...(alpn ? { ALPNProtocols: alpn } : {}),
    rejectUnauthorized: false,
    checkServerIdentity: () => undefined,
  });
  const handshake = new Promise<void>((resolve, reject) => {
    secure.once('secureConnect', () => {
      secure.off('error', reject);
      resolve();
    });
    secure.once('error', reject);
  });
  try {
    await deadline.race(handshake, 'tls_timeout', () => secure.destroy());
  } catch (err) {
    timer.mark('tls');
    secure.destroy();
    if (err instanceof ProbeFailure || deadline.signal.aborted) throw err;
    throw new ProbeFailure('tls_handshake_failed', { error: codeOf(err) });
  }
  timer.mark('tls');
  secure.on('error', () => undefined); // as on the TCP socket: the next owner (the HTTP client) listens for itself
  const chain = peerChain(secure);
  const session: TlsSession = { socket: secure, chain, protocol: secure.getProtocol() ?? '', cipher: secure.getCipher()?.name ?? '' };
  const facts = { tlsProtocol: session.protocol, tlsCipher: session.cipher };
  const fail = (reason: string, evidence: Record<string, string | number | boolean>): never => {
    secure.destroy();
    throw Object.assign(new ProbeFailure(reason, { ...facts, ...evidence }), { chain });
  };
  if (trust.mode === 'pin') {
    // A pinned key replaces CA trust and the name check: the usual way to trust a platform's self-made certificate.
    const pin = chain[0] ? spkiPin(chain[0]) : '';
    if (!trust.pins.includes(pin)) fail('tls_pin_mismatch', { serverPin: pin });
    return session;
  }
  if (!secure.authorized) fail(verifyFailureReason(String(secure.authorizationError)), { tlsError: String(secure.authorizationError) });
  const nameError = tls.checkServerIdentity(name, secure.getPeerCertificate());
  if (nameError) fail('tls_hostname_mismatch', { tlsError: codeOf(nameError), serverName: name });
  return session;
}

/** The chain a failed handshake still captured, if any (untrusted, expired, wrong name, pin mismatch). */
export function chainOf(err: unknown): Buffer[] | undefined {
  return (err as { chain?: Buffer[] } | null)?.chain;
}
