import { openConnection } from '../connection.js';
import { proxyEvidence, routeFor, runProbe, type ProbeEnv, type ProbeOutcome, type ProbeTarget } from './outcome.js';

/** kind "tcp": the port accepts a connection (through the proxy when one applies). Nothing is sent. */
export function probeTcp(target: ProbeTarget, env: ProbeEnv): Promise<ProbeOutcome> {
  return runProbe(target, env, async (deadline, timer) => {
    const proxy = routeFor(target, target.host, target.port, true, env);
    const conn = await openConnection({ host: target.host, port: target.port, family: target.ipFamily, proxy, tls: null }, deadline, timer);
    conn.socket.destroy();
    return { evidence: { address: conn.address, ...proxyEvidence(proxy) } };
  });
}
