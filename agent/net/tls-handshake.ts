import { isIP, type Socket } from 'node:net';
import tls, { type DetailedPeerCertificate, type SecureContext, type TLSSocket } from 'node:tls';
import type { Deadline, PhaseTimer } from './deadline.js';
import { codeOf, ProbeFailure } from './failure.js';
import type { NetReason } from './reasons.js';
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
export function verifyFailureReason(code: string): NetReason {
  if (EXPIRY.has(code)) return 'tls_expired';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return 'tls_hostname_mismatch';
  return 'tls_untrusted';
}

/**
 * The certificates the server presented (DER, leaf first), completed with the trusted root Node found, if any.
 * `cert`: the socket's detailed peer certificate when already at hand (building one converts the whole chain).
 */
export function peerChain(socket: TLSSocket, cert: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true)): Buffer[] {
  const chain: Buffer[] = [];
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
 * still captured for the certificate engine: chain against the context's CAs (or the pins), then the host name.
 */
export async function tlsHandshake(
  socket: Socket,
  name: string,
  trust: TrustSettings,
  context: SecureContext,
  alpn: string[] | undefined,
  deadline: Deadline,
  timer: PhaseTimer,
): Promise<TlsSession> {
  // Node hands the identity check the detailed certificate it built for a trusted chain: kept, so it is built once.
  let presented: DetailedPeerCertificate | undefined;
  const secure = tls.connect({
    socket,
    secureContext: context,
    ...(isIP(name) ? {} : { servername: name }),
    ...(alpn ? { ALPNProtocols: alpn } : {}),
    rejectUnauthorized: false,
    checkServerIdentity: (_host, cert) => {
      presented = cert as DetailedPeerCertificate;
      return undefined;
    },
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
  secure.on('error', () => undefined); // as on the TCP socket: the next owner (the HTTP client) listens for itself
  try {
    return verifiedSession(secure, name, trust, presented);
  } finally {
    timer.mark('tls'); // verification belongs to the handshake (as in curl's appconnect): `send` starts with the request
  }
}

/** The session once the chain (or the pin) and the name hold; otherwise the socket is closed and the reason thrown, with the chain. */
function verifiedSession(secure: TLSSocket, name: string, trust: TrustSettings, presented: DetailedPeerCertificate | undefined): TlsSession {
  const chain = peerChain(secure, presented);
  const session: TlsSession = { socket: secure, chain, protocol: secure.getProtocol() ?? '', cipher: secure.getCipher()?.name ?? '' };
  const facts = { tlsProtocol: session.protocol, tlsCipher: session.cipher };
  const fail = (reason: NetReason, evidence: Record<string, string | number | boolean>): never => {
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
  const nameError = tls.checkServerIdentity(name, presented ?? secure.getPeerCertificate());
  if (nameError) fail('tls_hostname_mismatch', { tlsError: codeOf(nameError), serverName: name });
  return session;
}

/** The chain a failed handshake still captured, if any (untrusted, expired, wrong name, pin mismatch). */
export function chainOf(err: unknown): Buffer[] | undefined {
  return (err as { chain?: Buffer[] } | null)?.chain;
}
