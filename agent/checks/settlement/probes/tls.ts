import type { ResolvedEndpoint } from '../endpoint.js';
import { openConnection } from '../net/connection.js';
import { proxyEvidence, routeFor, runProbe, type EndpointOutcome, type ProbeEnv } from './outcome.js';

/** kind "tls": connect and complete a verified TLS handshake; the chain goes to the certificate engine. */
export function probeTls(ep: ResolvedEndpoint, env: ProbeEnv): Promise<EndpointOutcome> {
  return runProbe(ep, env, async (deadline, timer) => {
    const proxy = routeFor(ep, ep.host, ep.port, true, env);
    const tls = { name: ep.trust.serverName || ep.host, trust: ep.trust, ca: env.cas.caFor(ep.trust, ep.where) };
    const conn = await openConnection({ host: ep.host, port: ep.port, family: ep.ipFamily, proxy, tls }, deadline, timer);
    conn.socket.destroy();
    const s = conn.tls!;
    return { evidence: { address: conn.address, tlsProtocol: s.protocol, tlsCipher: s.cipher, ...proxyEvidence(proxy) }, chain: s.chain };
  });
}
