import { createHash, X509Certificate } from 'node:crypto';
import { checkServerIdentity, type DetailedPeerCertificate, type TLSSocket } from 'node:tls';

/** "sha256/<base64>" of a certificate's SubjectPublicKeyInfo: the pin format of desk.pins (as in HPKP). */
export function spkiPin(cert: X509Certificate | Buffer | string): string {
  const x = cert instanceof X509Certificate ? cert : new X509Certificate(cert);
  const spki = x.publicKey.export({ type: 'spki', format: 'der' });
  return `sha256/${createHash('sha256').update(spki).digest('base64')}`;
}

/** The presented chain, leaf first (Node completes it with the trusted CA when one was given). */
function peerChain(socket: TLSSocket): X509Certificate[] {
  const chain: X509Certificate[] = [];
  let c: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  const seen = new Set<string>();
  while (c && c.raw && !seen.has(c.fingerprint256)) {
    seen.add(c.fingerprint256);
    chain.push(new X509Certificate(c.raw));
    c = c.issuerCertificate;
  }
  return chain;
}

/**
 * Decides whether the desk at the other end of `socket` is the one this agent trusts; returns why not, or null.
 * - With a CA (desk.caFile) Node has already verified the chain to it and the host name; pins, if any, must also
 *   match a key in that chain.
 * - With pins only, the chain is checked here: the leaf names the host, each certificate up to the first pinned
 *   one is in its validity period and signed by the next. The pinned one may be the desk's own key or its CA.
 * There is no mode without either: the agent never talks to an unverified desk.
 */
export function verifyDesk(socket: TLSSocket, host: string, pins: string[], caGiven: boolean, now = new Date()): string | null {
  if (caGiven && !socket.authorized) return `desk certificate not trusted: ${String(socket.authorizationError)}`;
  const chain = peerChain(socket);
  const leaf = chain[0];
  if (!leaf) return 'the desk presented no certificate';
  if (pins.length === 0) return caGiven ? null : 'no desk.caFile and no desk.pins: nothing to verify the desk against';
  const pinned = chain.findIndex((c) => pins.includes(spkiPin(c)));
  if (pinned < 0) return `desk key not pinned: presented ${chain.map((c) => spkiPin(c)).join(', ')}; pinned ${pins.join(', ')}`;
  if (caGiven) return null;
  const idErr = checkServerIdentity(host, socket.getPeerCertificate());
  if (idErr) return `desk certificate does not name ${host}: ${idErr.message}`;
  for (let i = 0; i <= pinned; i++) {
    const c = chain[i]!;
    if (now < new Date(c.validFrom) || now > new Date(c.validTo)) return `desk certificate "${c.subject}" is outside its validity (${c.validFrom} – ${c.validTo})`;
    if (i < pinned && !(c.checkIssued(chain[i + 1]!) && c.verify(chain[i + 1]!.publicKey))) {
      return `desk certificate "${c.subject}" is not signed by "${chain[i + 1]!.subject}"`;
    }
  }
  return null;
}
