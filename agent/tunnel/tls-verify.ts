import { X509Certificate } from 'node:crypto';
import { checkServerIdentity, type TLSSocket } from 'node:tls';
import { peerChain, spkiPin } from '../net/index.js';

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
  // Leaf first; Node completes the chain with the trusted CA when one was given.
  const chain = peerChain(socket).map((der) => new X509Certificate(der));
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
