import type { ResolvedEndpoint } from '../endpoint.js';
import { openConnection } from '../net/connection.js';
import { proxyEvidence, routeFor, runProbe, type EndpointOutcome, type ProbeEnv } from './outcome.js';

/** kind "tcp": the port accepts a connection (through the proxy when one applies). Nothing is sent. */
export function probeTcp(ep: ResolvedEndpoint, env: ProbeEnv): Promise<EndpointOutcome> {
  return runProbe(ep, env, async (deadline, timer) => {
    const proxy = routeFor(ep, ep.host, ep.port, true, env);
    const conn = await openConnection({ host: ep.host, port: ep.port, family: ep.ipFamily, proxy, tls: null }, deadline, timer);
    conn.socket.destroy();
    return { evidence: { address: conn.address, ...proxyEvidence(proxy) } };
  });
}
