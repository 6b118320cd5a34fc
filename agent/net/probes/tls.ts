import { openConnection } from '../connection.js';
import { proxyEvidence, routeFor, runProbe, type ProbeEnv, type ProbeOutcome, type ProbeTarget } from './outcome.js';

/** kind "tls": connect and complete a verified TLS handshake; the chain goes to the certificate engine. */
export function probeTls(target: ProbeTarget, env: ProbeEnv): Promise<ProbeOutcome> {
  return runProbe(target, env, async (deadline, timer) => {
    const proxy = routeFor(target, target.host, target.port, true, env);
    const tls = { name: target.trust.serverName || target.host, trust: target.trust, context: env.cas.contextFor(target.trust, target.where) };
    const conn = await openConnection({ host: target.host, port: target.port, family: target.ipFamily, proxy, tls }, deadline, timer);
    conn.socket.destroy();
    const s = conn.tls!;
    return { evidence: { address: conn.address, tlsProtocol: s.protocol, tlsCipher: s.cipher, ...proxyEvidence(proxy) }, chain: s.chain };
  });
}
